/**
 * One customer as one person, and their data-protection rights: edit, suggested merge, merge and undo; the
 * Art. 15 export; the Art. 17 erasure — afterwards no text or jsonb column of any table and no Redis key holds
 * the customer's values, every report reads the same, `audit:verify` passes and still catches a tampered row;
 * retention anonymises a closed conversation past its channel's period with the reports unchanged.
 */
import pg from 'pg';
import request from 'supertest';
import { systemActor } from '../../server/domain/audit/actor';
import { MERGE_UNDO_DAYS, undoMerge } from '../../server/domain/contacts/mergeContacts';
import { applyRetention } from '../../server/domain/privacy/retention';
import { verifyAuditChain } from '../../server/db/repositories/audit.repo';
import { verifyPersonalValues } from '../../server/domain/audit/verifyAudit';
import { makeChatSite } from '../factories/webchat';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
/** What `audit:verify` checks: the chain, then the personal values beside it. */
async function verifyAudit() {
  const chain = await verifyAuditChain(app.services.db);
  return chain.ok ? { ...chain, ...(await verifyPersonalValues(app.services.db)) } : chain;
}
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  app = await startTestApp();
  manager = await makeUser(app.services.db, { role: 'manager' });
  agent = await makeUser(app.services.db, { role: 'agent' });
});
afterAll(() => app.stop());

const api = (token: string) => ({
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  patch: (path: string, body: object) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
});

async function ingest(channel: { channelId: string; ingestToken: string }, body: ReturnType<typeof inboundPost>) {
  const res = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(body);
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; messageId: string };
}

async function contactOf(conversationId: string) {
  const row = await app.services.db.selectFrom('conversations').select('contactId').where('id', '=', conversationId).executeTakeFirstOrThrow();
  return row.contactId;
}

const today = new Date().toISOString().slice(0, 10);
/** Every report, as JSON and CSV, for today. */
async function allReports() {
  const m = api(manager.token);
  const sla = await m.get(`/reports/sla?from=${today}&to=${today}`);
  expect(sla.status).toBe(200);
  const csvs = [];
  for (const name of ['sla', 'response-times', 'volume', 'backlog', 'people']) {
    const r = await m.get(`/reports/${name}.csv?from=${today}&to=${today}`);
    expect(r.status).toBe(200);
    csvs.push(r.text);
  }
  const { generatedAt: _, ...json } = sla.body as { generatedAt?: string };
  return { json, csvs };
}

/** Every (table, column) of a text-like, json or array type, and the rows whose value contains one of the needles. */
async function findInDatabase(needles: string[]) {
  const { pool } = app.services;
  const cols = await pool.query<{ table_name: string; column_name: string }>(`
    SELECT c.table_name, c.column_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = 'public' AND (c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'tsvector', 'bytea') )
      -- digests (the audit chain's hashes, token hashes) are random hex: a short needle such as "2345" turns up in them by chance
      -- (and in ids and the audit's pseudonym digests elsewhere: so the phone's needles are its stored digits, nine long,
      -- and its written tail with the space, which no hex value holds)
      AND c.column_name NOT LIKE '%hash'`);
  expect(cols.rows.length).toBeGreaterThan(30);
  const hits: string[] = [];
  for (const { table_name: t, column_name: c } of cols.rows) {
    for (const needle of needles) {
      const r = await pool.query(`SELECT count(*)::int AS n FROM "${t}" WHERE strpos(lower("${c}"::text), lower($1)) > 0`, [needle]);
      if (r.rows[0].n > 0) hits.push(`${t}.${c} holds "${needle}"`);
    }
  }
  return hits;
}

/** Every key under this test's Redis prefix, with its content. */
async function findInRedis(needles: string[]) {
  const { redis, config } = app.services;
  const hits: string[] = [];
  const keys = await redis.keys(`${config.redisPrefix}*`);
  for (const key of keys) {
    const type = await redis.type(key);
    const content =
      type === 'string'
        ? await redis.get(key)
        : type === 'hash'
          ? JSON.stringify(await redis.hgetall(key))
          : type === 'list'
            ? JSON.stringify(await redis.lrange(key, 0, -1))
            : type === 'set'
              ? JSON.stringify(await redis.smembers(key))
              : type === 'zset'
                ? JSON.stringify(await redis.zrange(key, 0, -1))
                : type === 'stream'
                  ? JSON.stringify(await redis.xrange(key, '-', '+'))
                  : '';
    for (const n of needles) if ((content ?? '').toLowerCase().includes(n.toLowerCase())) hits.push(`${key} holds "${n}"`);
  }
  return { keys: keys.length, hits };
}

describe('a contact, its merge and its erasure', () => {
  const erika = { externalId: 'erika-x-7781', name: 'Erika Mustermann', handle: 'erika_wundersam' };
  const secretText = 'Meine Kundennummer Quastenflosser-4711 stimmt nicht';
  let contactId: string;
  let otherId: string;
  let conversationId: string;

  it('when an agent edits the contact, then the fields change and the audit event names no value', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    ({ conversationId } = await ingest(channel, inboundPost({ author: erika, text: secretText })));
    contactId = await contactOf(conversationId);
    const res = await api(agent.token).patch(`/contacts/${contactId}`, {
      email: 'Erika.Wundersam@Example.org',
      phone: '+49 151 2345 6789',
      notes: 'Ruft gern abends an (Wundersam)',
      tags: ['vip'],
    });
    expect(res.status).toBe(200);
    expect(res.body.changed).toEqual(['email', 'phone', 'notes', 'tags']);
    const got = await api(agent.token).get(`/contacts/${contactId}`);
    expect(got.body).toMatchObject({ email: 'erika.wundersam@example.org', phone: '+4915123456789', tags: ['vip'] });
    expect(got.body.identities).toEqual([expect.objectContaining({ externalId: erika.externalId, handle: erika.handle })]);
    expect(got.body.conversations).toEqual([expect.objectContaining({ id: conversationId })]);
    const audited = await app.services.db.selectFrom('auditEvents').select(['before', 'after']).where('subjectId', '=', contactId).execute();
    expect(JSON.stringify(audited)).not.toMatch(/wundersam|123456789|2345 6789/i);
  });

  it('when the input is bad or the role may not, then a clear 4xx changes nothing', async () => {
    const auditor = await makeUser(app.services.db, { role: 'auditor' });
    expect((await api(agent.token).patch(`/contacts/${contactId}`, { email: 'not-an-address' })).status).toBe(400);
    expect((await api(agent.token).patch(`/contacts/${contactId}`, { surprise: 1 })).status).toBe(400);
    expect((await api(auditor.token).patch(`/contacts/${contactId}`, { name: 'X' })).status).toBe(403);
    expect((await api(agent.token).post(`/contacts/${contactId}/erasure`, { reason: 'Antrag per Brief' })).status).toBe(403);
    expect((await api(agent.token).get(`/contacts/${contactId}/export`)).status).toBe(403);
    expect((await api(agent.token).get('/contacts/not-a-uuid')).status).toBe(404);
    expect((await api(agent.token).get(`/contacts/${contactId}`)).body.name).toBe(erika.name);
  });

  it('when another contact on another channel has the same e-mail, then it is suggested; merged, its conversation follows; undone, it goes back', async () => {
    const mail = await makeApiChannel(app.services.db, app.services.secretBox);
    const other = await ingest(mail, inboundPost({ author: { externalId: 'erika-mail-1', name: 'E. Mustermann' }, text: 'Zweiter Kanal Quastenflosser' }));
    otherId = await contactOf(other.conversationId);
    expect((await api(agent.token).patch(`/contacts/${otherId}`, { email: 'ERIKA.wundersam@example.org' })).status).toBe(200);
    const suggested = await api(agent.token).get(`/contacts/${contactId}`);
    expect(suggested.body.suggestedMerges).toEqual([{ contactId: otherId, name: 'E. Mustermann', reason: 'email' }]);

    const merged = await api(agent.token).post(`/contacts/${contactId}/merge`, { otherContactId: otherId });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ contactId, mergedContactId: otherId, conversationIds: [other.conversationId] });
    const after = await api(agent.token).get(`/contacts/${contactId}`);
    expect(after.body.conversations.map((c: { id: string }) => c.id).sort()).toEqual([conversationId, other.conversationId].sort());
    expect(after.body.identities).toHaveLength(2);
    expect(after.body.suggestedMerges).toEqual([]);
    expect((await api(agent.token).post(`/contacts/${contactId}/merge`, { otherContactId: otherId })).status).toBe(409);

    const undone = await api(agent.token).post(`/contact-merges/${merged.body.mergeId}/undo`, {});
    expect(undone.status).toBe(200);
    expect(await contactOf(other.conversationId)).toBe(otherId);
    expect((await api(agent.token).post(`/contact-merges/${merged.body.mergeId}/undo`, {})).status).toBe(409);
    const again = await api(agent.token).post(`/contacts/${contactId}/merge`, { otherContactId: otherId });
    expect(again.status).toBe(200);
    const late = new Date(Date.now() + (MERGE_UNDO_DAYS + 1) * 86_400_000);
    await expect(
      app.services.db
        .transaction()
        .execute((tx) => undoMerge(tx, { mergeId: again.body.mergeId }, { actor: systemActor('test'), role: 'agent', user: agent }, late)),
    ).rejects.toThrow(`within ${MERGE_UNDO_DAYS} days`);

    const actions = await app.services.db.selectFrom('auditEvents').select('action').where('subjectId', '=', contactId).orderBy('seq').execute();
    expect(actions.map((a) => a.action)).toEqual(['contact.updated', 'contact.merged', 'contact.merge_undone', 'contact.merged']);
  });

  it('when a manager exports the contact, then JSON and HTML hold everything, values of the history revealed and the HTML escaped', async () => {
    await api(agent.token).post(`/conversations/${conversationId}/notes`, { text: 'Notiz zu Frau Wundersam' });
    await api(agent.token).post(`/conversations/${conversationId}/tasks`, { title: 'Gutschrift für Frau Wundersam <b>', assigneeId: agent.id });
    const json = await api(manager.token).get(`/contacts/${contactId}/export`);
    expect(json.status).toBe(200);
    expect(json.headers['content-disposition']).toContain(`contact-${contactId}.json`);
    expect(json.body.contact).toMatchObject({ name: erika.name, email: 'erika.wundersam@example.org' });
    expect(json.body.identities).toHaveLength(2);
    expect(json.body.conversations.flatMap((c: { messages: { text: string }[] }) => c.messages.map((m) => m.text))).toEqual(
      expect.arrayContaining([secretText, 'Notiz zu Frau Wundersam']),
    );
    expect(json.body.conversations.flatMap((c: { tasks: { title: string }[] }) => c.tasks.map((t) => t.title))).toEqual(['Gutschrift für Frau Wundersam <b>']);
    expect(json.body.history[0]).toMatchObject({ action: 'contact.updated', after: { email: 'erika.wundersam@example.org' } });
    const html = await api(manager.token).get(`/contacts/${contactId}/export?format=html`);
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.text).toContain('Quastenflosser-4711');
    expect(html.text).toContain('Erika Mustermann');
    expect(html.text).toContain('Gutschrift für Frau Wundersam &lt;b&gt;');
    expect((await api(manager.token).get(`/contacts/${contactId}/export?format=pdf`)).status).toBe(400);
  });

  it('when a manager erases the contact, then no table and no Redis key holds their values, reports are unchanged and the audit verifies', async () => {
    const needles = [
      erika.name,
      'Mustermann',
      erika.handle,
      erika.externalId,
      'erika-mail-1',
      'wundersam',
      '123456789',
      '2345 6789',
      'Quastenflosser',
      'Frau Wundersam',
    ];
    // she also wrote in the website chat: its pre-chat form and page are hers too
    const site = await makeChatSite(app.services.db, { teamId: null });
    await app.services.db
      .insertInto('chatSessions')
      .values({
        conversationId,
        siteId: site.siteId,
        visitorTokenHash: 'a'.repeat(64),
        visitorId: 'visitor-erika-1',
        prechatName: erika.name,
        prechatEmail: 'erika.wundersam@example.org',
        pageUrl: 'https://shop.example/quastenflosser',
      })
      .execute();
    expect((await findInDatabase(needles)).length).toBeGreaterThan(5); // the scan finds them while they are there
    const before = await allReports();

    const res = await api(manager.token).post(`/contacts/${contactId}/erasure`, { reason: 'Antrag nach Art. 17 vom 2.12.' });
    expect(res.status).toBe(200);
    expect(res.body.erased).toMatchObject({ contacts: 2, conversations: 2, identities: 2 });

    expect(await findInDatabase(needles)).toEqual([]);
    const redis = await findInRedis(needles);
    expect(redis.hits).toEqual([]);
    expect(await allReports()).toEqual(before);
    expect(await verifyAudit()).toMatchObject({ ok: true });
    const contact = await api(agent.token).get(`/contacts/${contactId}`);
    expect(contact.body).toMatchObject({ name: '[erased]', email: null, erasedAt: expect.any(String) });
    expect((await api(manager.token).post(`/contacts/${contactId}/erasure`, { reason: 'noch einmal' })).status).toBe(409);
  });

  it('when a closed conversation is past its channel retention, then the nightly run anonymises it, keeps the reports and records it', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const kept = await ingest(channel, inboundPost({ author: { externalId: 'keep-1', name: 'Karl Bleibt' }, text: 'Noch offen Bleibtreu' }));
    const due = await ingest(channel, inboundPost({ author: { externalId: 'gone-1', name: 'Greta Geht' }, text: 'Bitte um Rückruf Geheimwort' }));
    expect((await api(agent.token).post(`/conversations/${due.conversationId}/status`, { status: 'closed', reason: 'erledigt' })).status).toBe(200);
    expect((await api(agent.token).patch(`/channels/${channel.channelId}`, { retentionDays: 30 })).status).toBe(403);
    expect((await api(manager.token).patch(`/channels/${channel.channelId}`, { retentionDays: 0 })).status).toBe(400);
    expect((await api(manager.token).patch(`/channels/${channel.channelId}`, { retentionDays: 30 })).body).toEqual({
      channelId: channel.channelId,
      retentionDays: 30,
    });
    const before = await allReports();

    expect(await applyRetention(app.services.db, new Date(Date.now() + 29 * 86_400_000))).toMatchObject({ conversations: 0 });
    const run = await applyRetention(app.services.db, new Date(Date.now() + 31 * 86_400_000));
    expect(run).toMatchObject({ conversations: 1, messages: 1, contacts: 1, byChannel: { [channel.channelId]: 1 } });

    expect(await findInDatabase(['Greta Geht', 'Geheimwort', 'gone-1'])).toEqual([]);
    expect((await findInDatabase(['Karl Bleibt', 'Bleibtreu'])).length).toBeGreaterThan(0);
    expect(await allReports()).toEqual(before);
    const recorded = await app.services.db.selectFrom('auditEvents').selectAll().where('action', '=', 'retention.applied').execute();
    expect(recorded).toEqual([expect.objectContaining({ actorLabel: 'job:retention', after: expect.objectContaining({ conversations: 1 }) })]);
    expect(kept.conversationId).not.toBe(due.conversationId);
  });

  it('when, after the erasure, one audit row is altered behind the trigger, then audit verification fails at it', async () => {
    const erased = await app.services.db.selectFrom('auditEvents').select('seq').where('action', '=', 'contact.erased').executeTakeFirstOrThrow();
    const su = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await su.connect();
    await su.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await su.query(`UPDATE audit_events SET after = after || '{"contacts": 1}' WHERE seq = $1`, [erased.seq]);
    await su.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    await su.end();
    expect(await verifyAudit()).toMatchObject({ ok: false, brokenAtSeq: erased.seq });
  });
});
