/**
 * A reply reaches the customer once (issue 13, point 4). Telegram and WhatsApp know no idempotency key, so
 * a send they took must never be repeated: any 2xx answer counts as sent (with its id if there is one), and
 * recording the send sits outside the send's retry path — a database error after a successful send is
 * retried as a database write, not as a second send. The database errors are real: a trigger on this
 * file's database refuses to store "sent".
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import request from 'supertest';
import { pollChannelOnce } from '../../server/domain/channels/polling/pollChannel';
import { systemActor } from '../../server/domain/audit/actor';
import { ingestInbound } from '../../server/domain/conversations/ingestInbound';
import { inTransaction } from '../../server/domain/effects';
import { makeUser } from '../factories/factories';
import { makeTelegramChannel, makeWhatsappChannel } from '../factories/messagingChannels';
import { startFakeMeta } from '../fakes/fakeMetaServer';
import { telegramPollingApp } from '../support/telegramPollingApp';
import { until } from '../support/until';

const env = telegramPollingApp();
const customer = { id: 557002, first_name: 'Jana', last_name: 'Keller', username: 'janak' };
const db = () => env.app.services.db;

const replyState = (id: string) =>
  db().selectFrom('messages').select(['deliveryState', 'deliveryAttempts', 'deliveryError', 'externalId']).where('id', '=', id).executeTakeFirstOrThrow();
const auditActions = async (messageId: string) =>
  (
    await sql<{ action: string }>`
  SELECT action FROM audit_events WHERE after->>'messageId' = ${messageId} ORDER BY seq`.execute(db())
  ).rows.map((r) => r.action);
const settle = () => new Promise((r) => setTimeout(r, 1_500));

/** A Telegram conversation with one customer message, and an agent. */
async function telegramConversation() {
  const ch = await makeTelegramChannel(db(), env.app.services.secretBox, env.tg);
  const agent = await makeUser(db(), { role: 'agent' });
  env.tg.pushPrivateText(customer, 'Wo ist mein Paket?');
  await pollChannelOnce(env.deps, ch.channelId);
  const conversation = await db().selectFrom('conversations').select('id').where('channelId', '=', ch.channelId).executeTakeFirstOrThrow();
  const reply = async (text: string) =>
    (await request(env.app.url).post(`/api/v1/conversations/${conversation.id}/replies`).auth(agent.token, { type: 'bearer' }).send({ text }).expect(202)).body
      .messageId as string;
  return { channelId: ch.channelId, reply };
}

/** Makes storing "sent" fail `times` times for replies on this channel (a sequence counts across rollbacks). */
async function failRecordingSent(channelId: string, times: number) {
  const seq = `fail_sent_${channelId.replace(/-/g, '')}`;
  await sql.raw(`CREATE SEQUENCE ${seq}`).execute(db());
  await sql
    .raw(`
    CREATE OR REPLACE FUNCTION test_fail_sent_${seq}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.channel_id = '${channelId}' AND NEW.delivery_state = 'sent' AND OLD.delivery_state IS DISTINCT FROM 'sent'
         AND nextval('${seq}') <= ${times} THEN
        RAISE EXCEPTION 'simulated database failure while recording the send';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_fail_sent_${seq} BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION test_fail_sent_${seq}();`)
    .execute(db());
}

describe('when the connection is cut after the request was written', () => {
  it('when Telegram took the message but the answer never came, then the reply is "maybe sent — check" and not sent again', async () => {
    const { reply } = await telegramConversation();
    env.tg.misbehaveNext('sendMessage', 'cut');
    const id = await reply('Kommt genau einmal.');
    await until('the reply to leave the queue', async () => ['sent', 'failed', 'uncertain'].includes((await replyState(id)).deliveryState ?? ''), 10_000).catch(
      () => null,
    );
    await settle();
    expect(env.tg.sent.map((s) => s.text)).toEqual(['Kommt genau einmal.']);
    expect(await replyState(id)).toMatchObject({ deliveryState: 'uncertain', deliveryAttempts: 1 });
    expect(await auditActions(id)).toContain('message.delivery_uncertain');
  });
});

describe('when the channel takes the reply but answers without its id', () => {
  it('when Telegram answers 200 {"ok":true} without a message_id, then the reply counts as sent, without an id, and is not sent again', async () => {
    const { reply } = await telegramConversation();
    env.tg.misbehaveNext('sendMessage', { status: 200, body: '{"ok":true,"result":{}}', accepted: true });
    const id = await reply('Ist unterwegs.');
    await until('the reply to leave the queue', async () => ['sent', 'failed', 'uncertain'].includes((await replyState(id)).deliveryState ?? ''), 10_000).catch(
      () => null,
    );
    await settle();
    expect(env.tg.sent.map((s) => s.text)).toEqual(['Ist unterwegs.']);
    expect(await replyState(id)).toMatchObject({ deliveryState: 'sent', deliveryAttempts: 1, externalId: null, deliveryError: null });
  });

  it('when WhatsApp answers 200 without messages[0].id, then the reply counts as sent, without an id, and is not sent again', async () => {
    const accessToken = `EAAG-${randomUUID()}`;
    const meta = await startFakeMeta({ accessToken });
    try {
      const wa = await makeWhatsappChannel(db(), env.app.services.secretBox, { graphBaseUrl: meta.baseUrl, accessToken });
      const agent = await makeUser(db(), { role: 'agent' });
      const { conversationId } = await inTransaction(db(), env.app.services.dispatcher, (tx, effects) =>
        ingestInbound(
          tx,
          effects,
          {
            channelId: wa.channelId,
            externalId: `wamid.${randomUUID()}`,
            author: { externalId: '4915112349876', name: 'Erika', handle: null },
            text: 'Hallo?',
            postedAt: new Date(),
            inReplyToExternalId: null,
            url: null,
            raw: {},
          },
          systemActor('test-factory'),
        ),
      );
      meta.acceptNextWith({ status: 200, body: '{"messaging_product":"whatsapp","messages":[]}' });
      const res = await request(env.app.url)
        .post(`/api/v1/conversations/${conversationId}/replies`)
        .auth(agent.token, { type: 'bearer' })
        .send({ text: 'Wir helfen gern.' })
        .expect(202);
      await until(
        'the reply to leave the queue',
        async () => ['sent', 'failed', 'uncertain'].includes((await replyState(res.body.messageId)).deliveryState ?? ''),
        10_000,
      ).catch(() => null);
      await settle();
      expect(meta.sent.map((s) => s.body.text?.body)).toEqual(['Wir helfen gern.']);
      expect(await replyState(res.body.messageId)).toMatchObject({ deliveryState: 'sent', deliveryAttempts: 1, externalId: null });
    } finally {
      await meta.close();
    }
  });
});

describe('when recording a successful send fails', () => {
  it('when the database refuses to store "sent" once, then the reply is not sent again and ends sent, audited once', async () => {
    const { channelId, reply } = await telegramConversation();
    await failRecordingSent(channelId, 1);
    const id = await reply('Gesendet ist gesendet.');
    await until('the reply to be sent', async () => (await replyState(id)).deliveryState === 'sent', 15_000).catch(() => null);
    await settle();
    expect(env.tg.sent.map((s) => s.text)).toEqual(['Gesendet ist gesendet.']);
    expect(await replyState(id)).toMatchObject({ deliveryState: 'sent', deliveryAttempts: 1 });
    expect((await auditActions(id)).filter((a) => a === 'message.delivered')).toHaveLength(1);
  });

  it('when the database keeps refusing, then the reply is never sent again and ends "maybe sent — check" with the reason', async () => {
    const { channelId, reply } = await telegramConversation();
    await failRecordingSent(channelId, 1_000);
    const id = await reply('Nur einmal, bitte.');
    await until(
      'the reply to leave "sending"',
      async () => ['uncertain', 'failed', 'sent'].includes((await replyState(id)).deliveryState ?? '') && (await replyState(id)).deliveryAttempts > 0,
      40_000,
    ).catch(() => null);
    await settle();
    expect(env.tg.sent.map((s) => s.text)).toEqual(['Nur einmal, bitte.']);
    const state = await replyState(id);
    expect(state.deliveryState).toBe('uncertain');
    expect(state.deliveryError).toMatch(/interrupted/);
    expect(await auditActions(id)).toContain('message.delivery_uncertain');
  }, 60_000);
});
