/**
 * Facebook pages and Instagram accounts end to end: Meta's signed webhook in (one endpoint, routed by
 * entry[].id; durable inbox → job → ingest), replies out to a fake Graph API (public, private, direct
 * messages within Meta's messaging windows), comments moderated from the console, usage headers honoured.
 */
import request from 'supertest';
import { facebookConnector } from '../../connectors/meta/metaConnector';
import { RateLimited, type ChannelForSend } from '../../connectors/types';
import { systemActor } from '../../server/domain/audit/actor';
import { loadChannelForSend } from '../../server/domain/channels/loadChannelForSend';
import { moderateComment } from '../../server/domain/conversations/moderateComment';
import { inTransaction } from '../../server/domain/effects';
import { queueReply } from '../../server/domain/replies/queueReply';
import { makeUser } from '../factories/factories';
import { makeMetaChannel } from '../factories/messagingChannels';
import { signPayload } from '../fakes/fakeMetaServer';
import { delivery, directMessage, fbCommentChange, igCommentChange, PAGES_ERRORS, startFakeMetaPages, type FakeMetaPages } from '../fakes/fakeMetaPages';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

const PAGE_TOKEN = 'EAAP-fake-page-token';
let app: TestApp;
let graph: FakeMetaPages;

beforeAll(async () => {
  graph = await startFakeMetaPages({ pageToken: PAGE_TOKEN });
  app = await startTestApp({ workers: true });
});
afterAll(async () => {
  await app.stop();
  await graph.close();
});

const db = () => app.services.db;
const channelFor = (kind: 'facebook' | 'instagram') =>
  makeMetaChannel(db(), app.services.secretBox, kind, { pageToken: PAGE_TOKEN, graphBaseUrl: graph.baseUrl });

function post(payload: unknown, appSecret: string | null) {
  const body = JSON.stringify(payload);
  const req = request(app.url).post('/webhooks/meta').set('content-type', 'application/json');
  if (appSecret) req.set('x-hub-signature-256', signPayload(appSecret, body));
  return req.send(body);
}

const inboxOf = (channelId: string) => db().selectFrom('webhookInbox').selectAll().where('channelId', '=', channelId).execute();
const inboxDrained = (channelId: string) => until('webhook inbox processed', async () => (await inboxOf(channelId)).every((r) => r.processedAt !== null));
const arrives = (channelId: string, externalId: string) =>
  until(`message ${externalId}`, () =>
    db().selectFrom('messages').selectAll().where('channelId', '=', channelId).where('externalId', '=', externalId).executeTakeFirst(),
  );
const messageById = (id: string) => db().selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const ended = (id: string) =>
  until('reply ended', async () => {
    const m = await messageById(id);
    return m.deliveryState === 'sent' || m.deliveryState === 'failed' ? m : undefined;
  });
const auditOf = (conversationId: string, action: string) =>
  db().selectFrom('auditEvents').selectAll().where('subjectId', '=', conversationId).where('action', '=', action).execute();

async function reply(conversationId: string, text: string, opts: { privately?: boolean } = {}) {
  const agent = await makeUser(db(), { role: 'agent' });
  const { messageId } = await inTransaction(db(), app.services.dispatcher, (tx, effects) =>
    queueReply(
      tx,
      effects,
      { conversationId, text, author: { id: agent.id, name: agent.name }, ...opts },
      systemActor('test'),
      app.services.connectors,
      app.services.caseLink,
    ),
  );
  return ended(messageId);
}

describe('GET /webhooks/meta (verification handshake)', () => {
  it("when hub.verify_token is a Facebook or Instagram channel's, then the challenge is echoed; otherwise 403", async () => {
    const fb = await channelFor('facebook');
    const ig = await channelFor('instagram');
    for (const token of [fb.verifyToken, ig.verifyToken]) {
      const ok = await request(app.url).get('/webhooks/meta').query({ 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '987654' });
      expect([ok.status, ok.text]).toEqual([200, '987654']);
    }
    const wrong = await request(app.url).get('/webhooks/meta').query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope-nope', 'hub.challenge': '1' });
    expect(wrong.status).toBe(403);
  });
});

describe('POST /webhooks/meta (Facebook comments)', () => {
  it('when the signature is missing, wrong, or of another page, then nothing is stored', async () => {
    const fb = await channelFor('facebook');
    const other = await channelFor('facebook');
    const payload = delivery('page', [{ id: fb.pageId, changes: [fbCommentChange(fb.pageId)] }]);
    expect((await post(payload, null)).status).toBe(401);
    expect((await post(payload, 'not-the-app-secret')).status).toBe(401);
    // Signed with another page's app secret: that page is not addressed, this one did not sign.
    expect((await post(payload, other.appSecret)).status).toBe(200);
    const tampered = JSON.stringify(payload).replace('Filiale', 'Fi1iale');
    const res = await request(app.url)
      .post('/webhooks/meta')
      .set('content-type', 'application/json')
      .set('x-hub-signature-256', signPayload(fb.appSecret, JSON.stringify(payload)))
      .send(tampered);
    expect(res.status).toBe(401);
    expect(await inboxOf(fb.channelId)).toHaveLength(0);
  });

  it('when a comment arrives and Meta retries the same delivery, then it is stored once, answered 200 at once and ingested once; a reply to it threads under it', async () => {
    const fb = await channelFor('facebook');
    const change = fbCommentChange(fb.pageId, { message: 'Wann öffnet die Filiale am Samstag?', from: { id: '1001', name: 'Erika Mustermann' } });
    const payload = delivery('page', [{ id: fb.pageId, changes: [change] }]);
    const first = await post(payload, fb.appSecret);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: 1 });
    expect((await post(payload, fb.appSecret)).body).toEqual({ received: 0 });
    const comment = await arrives(fb.channelId, change.value.comment_id);
    expect(comment).toMatchObject({ text: 'Wann öffnet die Filiale am Samstag?', authorName: 'Erika Mustermann', inReplyToExternalId: null });
    expect(await inboxOf(fb.channelId)).toHaveLength(1);

    const answer = fbCommentChange(fb.pageId, {
      postId: change.value.post_id,
      parentId: change.value.comment_id,
      from: { id: '1002', name: 'Max Muster' },
      message: 'Würde mich auch interessieren',
    });
    await post(delivery('page', [{ id: fb.pageId, changes: [answer] }]), fb.appSecret);
    const threaded = await arrives(fb.channelId, answer.value.comment_id);
    expect(threaded.conversationId).toBe(comment.conversationId);
    expect(threaded.inReplyToExternalId).toBe(change.value.comment_id);
  });

  it("when the customer edits and then removes the comment, then its text follows, both are audited, and the page's own comments are not ingested", async () => {
    const fb = await channelFor('facebook');
    const change = fbCommentChange(fb.pageId, { message: 'Ihr seid zu teuer' });
    await post(delivery('page', [{ id: fb.pageId, changes: [change] }]), fb.appSecret);
    const comment = await arrives(fb.channelId, change.value.comment_id);
    const edited = { ...change, value: { ...change.value, verb: 'edited', message: 'Ihr seid etwas zu teuer' } };
    const own = fbCommentChange(fb.pageId, { from: { id: fb.pageId, name: 'Unsere Seite' }, message: 'Danke für Ihren Kommentar' });
    await post(delivery('page', [{ id: fb.pageId, changes: [edited, own] }]), fb.appSecret);
    await inboxDrained(fb.channelId);
    const afterEdit = await messageById(comment.id);
    expect(afterEdit.text).toBe('Ihr seid etwas zu teuer');
    expect(afterEdit.remoteEditedAt).toBeInstanceOf(Date);
    expect(await auditOf(comment.conversationId, 'message.remote_edited')).toHaveLength(1);
    expect(await db().selectFrom('messages').select('id').where('externalId', '=', own.value.comment_id).execute()).toEqual([]);

    const removed = { ...change, value: { ...change.value, verb: 'remove' } };
    await post(delivery('page', [{ id: fb.pageId, changes: [removed] }]), fb.appSecret);
    await inboxDrained(fb.channelId);
    expect((await messageById(comment.id)).remoteRemovedAt).toBeInstanceOf(Date);
    const [audit] = await auditOf(comment.conversationId, 'message.remote_removed');
    expect(audit).toMatchObject({ before: { messageId: comment.id, text: 'Ihr seid etwas zu teuer' }, after: { messageId: comment.id, text: null } });
  });
});

describe('replies on Facebook', () => {
  it('when an agent answers a comment publicly, then it goes under the comment; privately, then to its author by the Send API, once', async () => {
    const fb = await channelFor('facebook');
    const change = fbCommentChange(fb.pageId, { message: 'Mein Paket ist nicht angekommen' });
    await post(delivery('page', [{ id: fb.pageId, changes: [change] }]), fb.appSecret);
    const comment = await arrives(fb.channelId, change.value.comment_id);

    const pub = await reply(comment.conversationId, 'Das tut uns leid! Wir melden uns per Nachricht.');
    expect(pub.deliveryState).toBe('sent');
    const publicCall = graph.calls.find((c) => c.path === `/${change.value.comment_id}/comments`);
    expect(publicCall?.body).toEqual({ message: 'Das tut uns leid! Wir melden uns per Nachricht.' });
    expect(pub.externalId).toMatch(/_\d+$/);

    const priv = await reply(comment.conversationId, 'Bitte senden Sie uns Ihre Bestellnummer.', { privately: true });
    expect(priv.deliveryState).toBe('sent');
    const privateCall = graph.calls.find((c) => c.path === `/${fb.pageId}/messages` && c.body.recipient?.comment_id === change.value.comment_id);
    expect(privateCall?.body).toEqual({ recipient: { comment_id: change.value.comment_id }, message: { text: 'Bitte senden Sie uns Ihre Bestellnummer.' } });
    expect(priv.externalId).toMatch(/^m_/);

    // Meta allows one private reply per comment: a second is refused for good, with Meta's reason.
    const again = await reply(comment.conversationId, 'Noch einmal privat', { privately: true });
    expect(again).toMatchObject({ deliveryState: 'failed', deliveryError: expect.stringContaining('10900') });
  });

  it('when a comment is more than 7 days old, then a private reply is refused with the reason and nothing is queued', async () => {
    const fb = await channelFor('facebook');
    const change = fbCommentChange(fb.pageId, { at: new Date(Date.now() - 8 * 86_400_000) });
    await post(delivery('page', [{ id: fb.pageId, changes: [change] }]), fb.appSecret);
    const comment = await arrives(fb.channelId, change.value.comment_id);
    await expect(reply(comment.conversationId, 'Privat', { privately: true })).rejects.toThrow('can no longer be answered privately');
    expect(
      await db().selectFrom('messages').select('id').where('conversationId', '=', comment.conversationId).where('direction', '=', 'outbound').execute(),
    ).toEqual([]);
  });

  it('when a Messenger message arrives, then it lands as a DM conversation; the reply within 24 h is a RESPONSE, after 24 h tagged HUMAN_AGENT, after 7 days refused', async () => {
    const fb = await channelFor('facebook');
    const fresh = directMessage(fb.pageId, { senderId: '7000001', text: 'Hallo, wo ist meine Bestellung?' });
    const echo = directMessage(fb.pageId, { senderId: '7000001', text: 'Antwort aus der Seite', echo: true });
    await post(delivery('page', [{ id: fb.pageId, messaging: [fresh, echo] }]), fb.appSecret);
    const dm = await arrives(fb.channelId, fresh.message.mid);
    const conversation = await db().selectFrom('conversations').select('threadKey').where('id', '=', dm.conversationId).executeTakeFirstOrThrow();
    expect(conversation.threadKey).toBe('dm');
    await inboxDrained(fb.channelId);
    expect(await db().selectFrom('messages').select('id').where('externalId', '=', echo.message.mid).execute()).toEqual([]);
    await reply(dm.conversationId, 'Sie ist unterwegs.');
    expect(graph.calls.at(-1)!.body).toEqual({ recipient: { id: '7000001' }, message: { text: 'Sie ist unterwegs.' }, messaging_type: 'RESPONSE' });

    const older = directMessage(fb.pageId, { senderId: '7000002', at: new Date(Date.now() - 3 * 86_400_000) });
    await post(delivery('page', [{ id: fb.pageId, messaging: [older] }]), fb.appSecret);
    const olderDm = await arrives(fb.channelId, older.message.mid);
    expect((await reply(olderDm.conversationId, 'Entschuldigung für die Wartezeit.')).deliveryState).toBe('sent');
    expect(graph.calls.at(-1)!.body).toMatchObject({ recipient: { id: '7000002' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

    const oldest = directMessage(fb.pageId, { senderId: '7000003', at: new Date(Date.now() - 8 * 86_400_000) });
    await post(delivery('page', [{ id: fb.pageId, messaging: [oldest] }]), fb.appSecret);
    const oldestDm = await arrives(fb.channelId, oldest.message.mid);
    const agent = await makeUser(db(), { role: 'agent' });
    const refused = await request(app.url)
      .post(`/api/v1/conversations/${oldestDm.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Hallo?' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('more than 7 days old');
  });
});

describe('moderating comments', () => {
  it('when an agent hides, shows again and deletes a comment, then Meta is asked each time, the state follows and each step is audited; a refusal changes nothing', async () => {
    const fb = await channelFor('facebook');
    const change = fbCommentChange(fb.pageId, { message: 'Spam spam spam' });
    await post(delivery('page', [{ id: fb.pageId, changes: [change] }]), fb.appSecret);
    const comment = await arrives(fb.channelId, change.value.comment_id);
    const agent = await makeUser(db(), { role: 'agent' });
    const actor = { type: 'user' as const, id: agent.id, label: agent.name };
    const moderate = (action: 'hide' | 'unhide' | 'delete') =>
      moderateComment(app.services, { conversationId: comment.conversationId, messageId: comment.id, action }, actor);

    await moderate('hide');
    expect(graph.calls.at(-1)).toMatchObject({ method: 'POST', path: `/${change.value.comment_id}`, body: { is_hidden: true } });
    expect((await messageById(comment.id)).moderation).toBe('hidden');
    await moderate('unhide');
    expect(graph.calls.at(-1)!.body).toEqual({ is_hidden: false });
    expect((await messageById(comment.id)).moderation).toBeNull();

    graph.failNext(PAGES_ERRORS.badToken);
    await expect(moderate('delete')).rejects.toThrow('The channel refused');
    expect((await messageById(comment.id)).moderation).toBeNull();
    await moderate('delete');
    expect(graph.calls.at(-1)).toMatchObject({ method: 'DELETE', path: `/${change.value.comment_id}` });
    expect((await messageById(comment.id)).moderation).toBe('deleted');
    await expect(moderate('hide')).rejects.toThrow('still on the channel');
    const audit = await auditOf(comment.conversationId, 'message.moderated');
    expect(audit.map((a) => (a.after as { action: string }).action)).toEqual(['hide', 'unhide', 'delete']);
  });
});

describe('Instagram', () => {
  it('when comments, a reply to a comment, a mention and a DM arrive, then they land; replies go under the top-level comment and as a DM; a comment can be hidden', async () => {
    const ig = await channelFor('instagram');
    const top = igCommentChange({ text: 'Gibt es das auch in Blau?', from: { id: '178001', username: 'kunde.anna' } });
    const nested = igCommentChange({
      text: 'Und in Grün?',
      from: { id: '178001', username: 'kunde.anna' },
      parentId: top.value.id,
      mediaId: top.value.media.id,
    });
    const mention = { field: 'mentions', value: { media_id: '17920000000000001', comment_id: '17890000000000001' } };
    const dm = directMessage(ig.pageId, { senderId: '9000001', text: 'Habt ihr noch Größe M?', attachments: [{ type: 'image' }] });
    const res = await post(delivery('instagram', [{ id: ig.pageId, changes: [top, nested, mention], messaging: [dm] }]), ig.appSecret);
    expect(res.status).toBe(200);
    const first = await arrives(ig.channelId, top.value.id);
    expect(first).toMatchObject({ text: 'Gibt es das auch in Blau?', authorHandle: 'kunde.anna' });
    const second = await arrives(ig.channelId, nested.value.id);
    expect(second.conversationId).toBe(first.conversationId);
    expect((await arrives(ig.channelId, '17890000000000001')).text).toBe('[mention]');
    const direct = await arrives(ig.channelId, dm.message.mid);
    expect(direct.text).toBe('Habt ihr noch Größe M? [image]');

    // The conversation's last inbound comment is the nested one: Instagram takes the reply under its top-level comment.
    expect((await reply(first.conversationId, 'Ja, ab nächster Woche!')).deliveryState).toBe('sent');
    expect(graph.calls.at(-1)).toMatchObject({ path: `/${top.value.id}/replies`, body: { message: 'Ja, ab nächster Woche!' } });
    expect((await reply(direct.conversationId, 'Ja, Größe M ist da.')).deliveryState).toBe('sent');
    expect(graph.calls.at(-1)).toMatchObject({ path: `/${ig.pageId}/messages`, body: { recipient: { id: '9000001' }, messaging_type: 'RESPONSE' } });

    const agent = await makeUser(db(), { role: 'agent' });
    await moderateComment(
      app.services,
      { conversationId: first.conversationId, messageId: first.id, action: 'hide' },
      { type: 'user', id: agent.id, label: agent.name },
    );
    expect(graph.calls.at(-1)).toMatchObject({ path: `/${top.value.id}`, body: { hide: true } });
  });
});

describe("Meta's rate limits", () => {
  it('when an answer says the page used 95 % of its calls, then the next call waits (RateLimited) without reaching Meta; a limit answer is RateLimited too', async () => {
    const fb = await channelFor('facebook');
    const channel = (await loadChannelForSend(db(), app.services.secretBox, fb.channelId)) as ChannelForSend;
    const base = { messageId: 'm1', conversationId: 'c1', caseNumber: '1', inReplyToExternalId: '1_2', thread: null };
    const noMail = { consoleMail: () => Promise.reject(new Error('a Facebook reply sends no e-mail')) };
    graph.failNext(PAGES_ERRORS.pageLimit);
    await expect(facebookConnector.sendReply(channel, { ...base, text: 'eins' }, noMail)).rejects.toBeInstanceOf(RateLimited);
    graph.usage(fb.pageId, 95, 3);
    try {
      await facebookConnector.sendReply(channel, { ...base, text: 'zwei' }, noMail);
      const calls = graph.calls.length;
      const waiting = facebookConnector.sendReply(channel, { ...base, text: 'drei' }, noMail);
      await expect(waiting).rejects.toBeInstanceOf(RateLimited);
      const err = (await waiting.catch((e: RateLimited) => e)) as RateLimited;
      expect(err.retryAt.getTime()).toBeGreaterThan(Date.now() + 2 * 60_000);
      expect(graph.calls.length).toBe(calls);
    } finally {
      graph.usage(fb.pageId, 1);
    }
  });
});
