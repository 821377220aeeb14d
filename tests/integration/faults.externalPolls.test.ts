/**
 * A polled channel's remote side misbehaves (issue #7), here the Telegram Bot API (the fake): getUpdates
 * accepts and never answers, answers an HTML error page, garbage or the wrong shape; sendMessage answers
 * garbage. The poll never crashes and never advances the cursor on a failure; the channel's health says
 * what went wrong and when it tries again; the next poll gets every update once. (429: telegram.test.ts;
 * X 429/503/not-JSON: xConnector.test.ts.)
 */
import request from 'supertest';
import { pollChannelOnce } from '../../server/domain/channels/polling/pollChannel';
import { channelHealthView } from '../../server/presenters/channelHealth.presenter';
import { makeUser } from '../factories/factories';
import { makeTelegramChannel } from '../factories/messagingChannels';
import { telegramPollingApp } from '../support/telegramPollingApp';
import { until } from '../support/until';

jest.setTimeout(40_000);

const env = telegramPollingApp();
const customer = { id: 557001, first_name: 'Lena', last_name: 'Vogel' };

const db = () => env.app.services.db;
const channelRow = (id: string) => db().selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const messagesOf = (channelId: string) =>
  db().selectFrom('messages').select(['externalId', 'text']).where('channelId', '=', channelId).where('direction', '=', 'inbound').execute();

/** One failed poll, then what the channel shows, then the poll after the backoff. */
async function failedPollThenRecovery(channelId: string, expectedError: RegExp) {
  const t0 = new Date();
  expect(await pollChannelOnce(env.deps, channelId, t0)).toMatchObject({ outcome: 'polled', fetched: 0, created: 0, error: 'transient' });
  const row = await channelRow(channelId);
  expect(row.cursor).toBeNull();
  expect(row.lastErrorKind).toBe('transient');
  expect(row.lastError).toMatch(expectedError);
  expect(row.consecutiveFailures).toBe(1);
  expect(row.nextPollAt!.getTime()).toBeGreaterThan(t0.getTime());
  expect(channelHealthView(row, t0)).toMatchObject({ status: 'failing', consecutiveFailures: 1, waitingUntil: row.nextPollAt });
  expect(await messagesOf(channelId)).toHaveLength(0);
  // Before the backoff ends nothing is asked of Telegram.
  const calls = env.tg.offsets.length;
  expect(await pollChannelOnce(env.deps, channelId, new Date(row.nextPollAt!.getTime() - 1000))).toEqual({ outcome: 'skipped', reason: 'waiting' });
  expect(env.tg.offsets).toHaveLength(calls);

  const t1 = new Date(row.nextPollAt!.getTime() + 1000);
  expect(await pollChannelOnce(env.deps, channelId, t1)).toMatchObject({ outcome: 'polled', created: 1 });
  const after = await channelRow(channelId);
  expect(after.consecutiveFailures).toBe(0);
  expect(channelHealthView(after, t1).status).toBe('ok');
  expect(await pollChannelOnce(env.deps, channelId, new Date(t1.getTime() + 1000))).toMatchObject({ outcome: 'polled', created: 0 });
  expect(await messagesOf(channelId)).toHaveLength(1);
}

describe('when getUpdates accepts the request and never answers', () => {
  it('then the poll times out instead of hanging, the channel shows failing with "timed out" and backs off, and the next poll gets the update once', async () => {
    const ch = await makeTelegramChannel(db(), env.app.services.secretBox, env.tg);
    env.tg.pushPrivateText(customer, 'Hallo? Ist da jemand?');
    env.tg.misbehaveNext('getUpdates', 'hang');
    await failedPollThenRecovery(ch.channelId, /timed out/);
    expect(env.tg.hung()).toBe(1);
  });
});

describe('when getUpdates answers something that is not a Bot API answer', () => {
  it('then an HTML error page (502) counts as a transient failure and the next poll gets the update', async () => {
    const ch = await makeTelegramChannel(db(), env.app.services.secretBox, env.tg);
    env.tg.pushPrivateText(customer, 'Erster Versuch');
    env.tg.misbehaveNext('getUpdates', { status: 502, body: '<html><h1>502 Bad Gateway</h1></html>' });
    await failedPollThenRecovery(ch.channelId, /502/);
  });

  it('then a 200 whose body is not JSON counts as a transient failure with a clear reason (not a permanent one) and the next poll gets the update', async () => {
    const ch = await makeTelegramChannel(db(), env.app.services.secretBox, env.tg);
    env.tg.pushPrivateText(customer, 'Zweiter Versuch');
    env.tg.misbehaveNext('getUpdates', { status: 200, body: '{"ok":true,"result":[{"update_id":' });
    await failedPollThenRecovery(ch.channelId, /not a Bot API answer/);
  });

  it('then a 200 of the wrong shape (no list of updates) counts as a transient failure and the next poll gets the update', async () => {
    const ch = await makeTelegramChannel(db(), env.app.services.secretBox, env.tg);
    env.tg.pushPrivateText(customer, 'Dritter Versuch');
    env.tg.misbehaveNext('getUpdates', { status: 200, body: JSON.stringify({ ok: true, result: { updates: 'soon' } }) });
    await failedPollThenRecovery(ch.channelId, /without a list/);
  });
});

describe('when sendMessage answers garbage', () => {
  it('then the reply is retried and sent once rather than failed with a meaningless reason', async () => {
    const ch = await makeTelegramChannel(db(), env.app.services.secretBox, env.tg);
    const agent = await makeUser(db(), { role: 'agent' });
    env.tg.pushPrivateText(customer, 'Bitte um Rückruf');
    await pollChannelOnce(env.deps, ch.channelId);
    const conversation = await db().selectFrom('conversations').select('id').where('channelId', '=', ch.channelId).executeTakeFirstOrThrow();
    env.tg.misbehaveNext('sendMessage', { status: 200, body: 'Service temporarily replaced by a captive portal' });
    const res = await request(env.app.url)
      .post(`/api/v1/conversations/${conversation.id}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Wir rufen Sie an.' })
      .expect(202);
    const message = () =>
      db()
        .selectFrom('messages')
        .select(['deliveryState', 'deliveryAttempts', 'deliveryError', 'externalId'])
        .where('id', '=', res.body.messageId)
        .executeTakeFirstOrThrow();
    await until('the reply to be sent', async () => (await message()).deliveryState === 'sent', 10_000);
    expect(await message()).toMatchObject({ deliveryAttempts: 2, deliveryError: null, externalId: expect.stringMatching(/^557001:\d+$/) });
    expect(env.tg.sent.map((s) => s.text)).toEqual(['Wir rufen Sie an.']);
  });
});
