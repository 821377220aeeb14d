/** Telegram end to end through the poll framework: getUpdates from a fake Bot API, cursor after commit, replies with sendMessage. */
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { makeTelegramChannel } from '../factories/messagingChannels';
import { TELEGRAM_ERRORS } from '../fakes/fakeTelegramServer';
import { pollChannelOnce } from '../../server/domain/channels/polling/pollChannel';
import { telegramPollingApp } from '../support/telegramPollingApp';
import { until } from '../support/until';

const env = telegramPollingApp();
const customer = { id: 555001, first_name: 'Paul', last_name: 'Becker', username: 'paulb' };

const db = () => env.app.services.db;
const channelFor = () => makeTelegramChannel(db(), env.app.services.secretBox, env.tg);
const messagesOf = (channelId: string) =>
  db().selectFrom('messages').selectAll().where('channelId', '=', channelId).orderBy('postedAt').orderBy('createdAt').execute();
const cursorOf = async (channelId: string) => (await db().selectFrom('channels').select('cursor').where('id', '=', channelId).executeTakeFirstOrThrow()).cursor;

describe('polling a Telegram bot', () => {
  it('when a customer writes the bot privately, then the message is ingested and the offset (last update_id + 1) is stored and sent on the next poll', async () => {
    const ch = await channelFor();
    const { updateId, chatId, messageId } = env.tg.pushPrivateText(customer, 'Hallo, wo bleibt meine Bestellung?');
    const first = await pollChannelOnce(env.deps, ch.channelId);
    expect(first).toMatchObject({ outcome: 'polled', fetched: 1, created: 1 });
    const [m] = await messagesOf(ch.channelId);
    expect(m).toMatchObject({
      externalId: `${chatId}:${messageId}`,
      text: 'Hallo, wo bleibt meine Bestellung?',
      authorName: 'Paul Becker',
      authorHandle: 'paulb',
    });
    expect(await cursorOf(ch.channelId)).toBe(String(updateId + 1));

    await pollChannelOnce(env.deps, ch.channelId);
    expect(env.tg.offsets.at(-1)).toBe(updateId + 1);
    expect(env.tg.pending()).toBe(0);
    expect(await messagesOf(ch.channelId)).toHaveLength(1);
  });

  it('when group messages arrive, then only those mentioning the bot are ingested (without the mention), and the offset passes the others', async () => {
    const ch = await channelFor();
    const group = { id: -1001234567890, title: 'Kundenforum' };
    env.tg.pushGroupText(group, customer, 'Hat jemand auch das Problem?');
    const mention = env.tg.pushGroupText(group, { id: 555002, first_name: 'Mia' }, `@${env.tg.botUsername} meine Rechnung ist doppelt`);
    await pollChannelOnce(env.deps, ch.channelId);
    const msgs = await messagesOf(ch.channelId);
    expect(msgs.map((m) => [m.externalId, m.text])).toEqual([[`${group.id}:${mention.messageId}`, 'meine Rechnung ist doppelt']]);
    expect(await cursorOf(ch.channelId)).toBe(String(mention.updateId + 1));
  });

  it('when getUpdates answers 429 with retry_after, then nothing is stored, the cursor stays, and the next poll after the wait gets the message', async () => {
    const ch = await channelFor();
    env.tg.pushPrivateText(customer, 'Zweiter Versuch');
    env.tg.failNext('getUpdates', TELEGRAM_ERRORS.tooManyRequests);
    const limited = await pollChannelOnce(env.deps, ch.channelId);
    expect(limited).toMatchObject({ outcome: 'polled', fetched: 0, error: 'rate_limited' });
    expect(await cursorOf(ch.channelId)).toBeNull();
    const health = await db().selectFrom('channels').select(['lastErrorKind', 'nextPollAt']).where('id', '=', ch.channelId).executeTakeFirstOrThrow();
    expect(health.lastErrorKind).toBe('rate_limited');
    expect((await pollChannelOnce(env.deps, ch.channelId)).outcome).toBe('skipped');
    const later = await pollChannelOnce(env.deps, ch.channelId, new Date(health.nextPollAt!.getTime() + 1000));
    expect(later).toMatchObject({ outcome: 'polled', created: 1 });
  });

  it('when an update is malformed, then it is logged and skipped, the next one is ingested and the offset moves past both', async () => {
    const ch = await channelFor();
    const broken = env.tg.pushRaw({ message: { message_id: 'x', chat: null } });
    const ok = env.tg.pushPrivateText(customer, 'Diese kommt an');
    const r = await pollChannelOnce(env.deps, ch.channelId);
    expect(r).toMatchObject({ created: 1, skipped: 1 });
    expect(env.app.logs.some((l) => l.includes('skipped an unreadable item') && l.includes(`update:${broken}`))).toBe(true);
    expect(await cursorOf(ch.channelId)).toBe(String(ok.updateId + 1));
  });
});

describe('replies on a Telegram conversation', () => {
  it("when an agent replies, then sendMessage goes to the chat threaded to the customer's message, after a 429 is waited out", async () => {
    const ch = await channelFor();
    const agent = await makeUser(db(), { role: 'agent' });
    const { chatId, messageId } = env.tg.pushPrivateText(customer, 'Brauche Hilfe beim Login');
    await pollChannelOnce(env.deps, ch.channelId);
    const [inbound] = await messagesOf(ch.channelId);
    env.tg.failNext('sendMessage', TELEGRAM_ERRORS.tooManyRequests);
    const res = await request(env.app.url)
      .post(`/api/v1/conversations/${inbound!.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Wir setzen Ihr Passwort zurück.' });
    expect(res.status).toBe(202);
    const [sent] = await env.tg.waitForSent(1, 15_000);
    expect(sent).toEqual({
      chat_id: String(chatId),
      text: 'Wir setzen Ihr Passwort zurück.',
      reply_parameters: { message_id: messageId, allow_sending_without_reply: true },
    });
    const reply = await until(
      'sent',
      () => db().selectFrom('messages').selectAll().where('id', '=', res.body.messageId).where('deliveryState', '=', 'sent').executeTakeFirst(),
      15_000,
    );
    expect(reply.externalId).toMatch(new RegExp(`^${chatId}:\\d+$`));
    expect(reply.deliveryAttempts).toBe(2);
  });

  it("when the customer blocked the bot, then the reply fails with Telegram's reason", async () => {
    const ch = await channelFor();
    const agent = await makeUser(db(), { role: 'agent' });
    env.tg.pushPrivateText(customer, 'Tschüss');
    await pollChannelOnce(env.deps, ch.channelId);
    const [inbound] = await messagesOf(ch.channelId);
    env.tg.failNext('sendMessage', TELEGRAM_ERRORS.blocked);
    const res = await request(env.app.url)
      .post(`/api/v1/conversations/${inbound!.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Schade!' });
    const failed = await until('failed', () =>
      db().selectFrom('messages').selectAll().where('id', '=', res.body.messageId).where('deliveryState', '=', 'failed').executeTakeFirst(),
    );
    expect(failed.deliveryError).toBe('Telegram 403: Forbidden: bot was blocked by the user');
  });
});
