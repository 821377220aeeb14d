/**
 * The durable webhook inbox drains in batches: processing one stored delivery takes the fresh deliveries
 * waiting behind it into the same transaction; a delivery the database refuses fails alone and is left to
 * its own job; every message is stored exactly once.
 */
import { sql } from 'kysely';
import { processWebhookInbox } from '../../server/domain/channels/webhooks/webhookInbox';
import { makeWhatsappChannel } from '../factories/messagingChannels';
import { inboundText, newWamid, postSignedWhatsapp, statusUpdate } from '../fakes/fakeMetaServer';
import { refuseTextsContaining } from '../support/refusedPosts';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp(); // no workers: the test processes the inbox itself
});
afterAll(() => app.stop());

/** One signed delivery per text (a message), or a delivery receipt where the text is null. */
async function deliver(texts: (string | null)[]) {
  const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
  for (const [i, text] of texts.entries()) {
    const payload = text === null ? statusUpdate(wa.phoneNumberId, newWamid(), 'delivered') : inboundText(wa.phoneNumberId, text, { from: `49151000${i}` });
    const body = JSON.stringify(payload);
    await postSignedWhatsapp(app.url, body, wa.appSecret).expect(200);
  }
  const rows = await app.services.db.selectFrom('webhookInbox').select('id').where('channelId', '=', wa.channelId).orderBy('receivedAt').execute();
  return { wa, ids: rows.map((r) => r.id) };
}

const inboxOf = (channelId: string) =>
  app.services.db
    .selectFrom('webhookInbox')
    .select(['id', 'processedAt', 'attempts', 'lastError'])
    .where('channelId', '=', channelId)
    .orderBy('receivedAt')
    .execute();

const messagesOf = (channelId: string) =>
  app.services.db
    .selectFrom('messages')
    .select(['text', sql<string>`xmin::text`.as('xmin')])
    .where('channelId', '=', channelId)
    .execute();

describe('draining the webhook inbox', () => {
  it("when deliveries wait, then processing the first stores all of them in one transaction, and the others' own jobs find nothing left to do", async () => {
    const { wa, ids } = await deliver(Array.from({ length: 12 }, (_, i) => `Nachricht ${i}`));
    expect(ids).toHaveLength(12);
    expect(await processWebhookInbox(app.services, ids[0]!)).toMatchObject({ outcome: 'processed', ingested: 1 });
    const stored = await messagesOf(wa.channelId);
    expect(stored.map((m) => m.text).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `Nachricht ${i}`).sort());
    expect(new Set(stored.map((m) => m.xmin)).size).toBe(1);
    expect((await inboxOf(wa.channelId)).every((r) => r.processedAt !== null && r.attempts === 1)).toBe(true);
    for (const id of ids.slice(1)) expect(await processWebhookInbox(app.services, id)).toMatchObject({ outcome: 'skipped', ingested: 0 });
    expect(await messagesOf(wa.channelId)).toHaveLength(12);
  });

  it('when receipts wait among the messages, then they are drained with them', async () => {
    const { wa, ids } = await deliver([null, 'eins', null, 'zwei']);
    expect(await processWebhookInbox(app.services, ids[0]!)).toMatchObject({ outcome: 'processed', ingested: 0, receipts: 0 });
    expect((await messagesOf(wa.channelId)).map((m) => m.text).sort()).toEqual(['eins', 'zwei']);
    expect((await inboxOf(wa.channelId)).every((r) => r.processedAt !== null)).toBe(true);
  });

  it('when one waiting delivery is refused by the database, then the others are stored, it is marked failed and is stored once retried alone', async () => {
    const { wa, ids } = await deliver(['eins', 'zwei', 'poisoned drei', 'vier', 'fünf']);
    const refusing = await refuseTextsContaining(app.services.db, 'poisoned');
    try {
      expect(await processWebhookInbox(app.services, ids[0]!)).toMatchObject({ outcome: 'processed', ingested: 1 });
    } finally {
      await refusing.stop();
    }
    expect((await messagesOf(wa.channelId)).map((m) => m.text).sort()).toEqual(['eins', 'fünf', 'vier', 'zwei']);
    const inbox = await inboxOf(wa.channelId);
    expect(inbox.map((r) => r.processedAt !== null)).toEqual([true, true, false, true, true]);
    expect(inbox[2]).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/poisoned/) });

    // a failed delivery is not drained by others any more: its own (retried) job takes it
    const [next] = (await deliver(['sechs'])).ids;
    await processWebhookInbox(app.services, next!);
    expect((await inboxOf(wa.channelId))[2]!.processedAt).toBeNull();
    expect(await processWebhookInbox(app.services, ids[2]!)).toMatchObject({ outcome: 'processed', ingested: 1 });
    expect((await messagesOf(wa.channelId)).map((m) => m.text).sort()).toEqual(['eins', 'fünf', 'poisoned drei', 'vier', 'zwei']);
  });

  it('when the delivery itself is refused, then its job fails (to be retried) and the deliveries drained with it are stored', async () => {
    const { wa, ids } = await deliver(['poisoned eins', 'zwei', 'drei']);
    const refusing = await refuseTextsContaining(app.services.db, 'poisoned');
    try {
      await expect(processWebhookInbox(app.services, ids[0]!)).rejects.toMatchObject({ code: '23514' });
    } finally {
      await refusing.stop();
    }
    expect((await messagesOf(wa.channelId)).map((m) => m.text).sort()).toEqual(['drei', 'zwei']);
    expect((await inboxOf(wa.channelId)).map((r) => r.processedAt !== null)).toEqual([false, true, true]);
  });
});
