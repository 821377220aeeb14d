/**
 * The audit trail: every step of ingest → reply → delivery is an event with its actor; the table refuses
 * UPDATE/DELETE; a row altered behind the triggers' back is found by verifyAuditChain and `npm run cli -- audit:verify`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { createDb, createPool, type Db } from '../../server/db/client';
import { ensureDatabase, migrate } from '../../server/db/migrate';
import { appendAudit, verifyAuditChain } from '../../server/db/repositories/audit.repo';
import { systemActor } from '../../server/domain/audit/actor';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { ADMIN_DATABASE_URL, testDatabaseUrl, testRunId } from '../support/testEnv';
import { startTestAppWithReceiver, type TestApp } from '../support/testApp';
import type { WebhookReceiver } from '../support/webhookReceiver';
import { csrfFrom } from '../support/csrf';
// Events outside the catalogue, written only by this test to probe the chain (the cast says so).
import type { AuditAction } from '../../server/domain/audit/actions';

const ROOT = path.resolve(__dirname, '../..');

let app: TestApp;
let hooks: WebhookReceiver;
let stop: () => Promise<void>;
beforeAll(async () => ({ app, hooks, stop } = await startTestAppWithReceiver()));
afterAll(() => stop());

describe('the audit trail of one conversation', () => {
  it('when a post is ingested, answered from the console and delivered, then each step is an event with the right actor', async () => {
    const db = app.services.db;
    const channel = await makeApiChannel(db, app.services.secretBox, { webhookUrl: hooks.url });
    const user = await makeUser(db, { role: 'agent' });
    const ingested = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost());
    expect(ingested.status).toBe(201);
    const conversationId: string = ingested.body.conversationId;

    const agent = request.agent(app.url);
    const login = await agent.get('/login');
    await agent
      .post('/login')
      .set('X-Forwarded-For', '203.0.113.50')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password });
    const page = await agent.get(`/conversations/${conversationId}`);
    const reply = await agent
      .post(`/conversations/${conversationId}/replies`)
      .set('X-Forwarded-For', '203.0.113.51')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), text: 'Schon unterwegs!' });
    expect(reply.status).toBe(303);

    const deadline = Date.now() + 10_000;
    let events = await db.selectFrom('auditEvents').selectAll().where('subjectId', '=', conversationId).orderBy('seq').execute();
    while (!events.some((e) => e.action === 'message.delivered')) {
      if (Date.now() > deadline) throw new Error(`no delivery event; got ${events.map((e) => e.action).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
      events = await db.selectFrom('auditEvents').selectAll().where('subjectId', '=', conversationId).orderBy('seq').execute();
    }

    const channelActor = { actorType: 'api_channel', actorId: channel.channelId, actorLabel: expect.stringContaining('channel:') };
    const userActor = { actorType: 'user', actorId: user.id, actorLabel: user.email, ip: '203.0.113.51' };
    const worker = { actorType: 'system', actorId: null, actorLabel: 'worker:outbound' };
    expect(events.map((e) => e.action)).toEqual([
      'conversation.created',
      'message.received',
      'reply.queued',
      'conversation.status_changed',
      'message.delivered',
    ]);
    expect(events[0]).toMatchObject({ ...channelActor, channelId: channel.channelId, after: { status: 'new' } });
    expect(events[1]).toMatchObject({ ...channelActor, after: { messageId: ingested.body.messageId } });
    expect(events[2]).toMatchObject(userActor);
    expect(events[3]).toMatchObject({ ...userActor, before: { status: 'new' }, after: { status: 'answered' } });
    expect(events[4]).toMatchObject({ ...worker, after: { deliveryState: 'sent' } });
    expect(events[1]!.ip).toMatch(/127\.0\.0\.1$/);
    const messageId = (events[2]!.after as { messageId: string }).messageId;
    expect(events[4]!.after).toMatchObject({ messageId, externalId: expect.stringMatching(/^hook-/) });
    for (let i = 1; i < events.length; i += 1) expect(BigInt(events[i]!.seq)).toBeGreaterThan(BigInt(events[i - 1]!.seq));

    const login2 = await db.selectFrom('auditEvents').selectAll().where('action', '=', 'auth.login').where('actorId', '=', user.id).execute();
    expect(login2).toEqual([expect.objectContaining({ actorLabel: user.email, ip: '203.0.113.50' })]);
  });

  it('when the shared test database is checked, then its chain is intact', async () => {
    expect(await verifyAuditChain(app.services.db)).toMatchObject({ ok: true });
  });
});

describe('append-only', () => {
  it('when anyone tries UPDATE, DELETE or TRUNCATE on audit_events, then the database refuses', async () => {
    await appendAudit(app.services.db, { actor: systemActor('test'), action: 'test.append_only' as AuditAction, subjectType: 'test', subjectId: null });
    const { pool } = app.services;
    await expect(pool.query(`UPDATE audit_events SET action = 'forged' WHERE action = 'test.append_only'`)).rejects.toThrow(
      'audit_events is append-only: UPDATE refused',
    );
    await expect(pool.query(`DELETE FROM audit_events WHERE action = 'test.append_only'`)).rejects.toThrow('audit_events is append-only: DELETE refused');
    await expect(pool.query('TRUNCATE audit_events')).rejects.toThrow('audit_events is append-only: TRUNCATE refused');
    const left = await pool.query(`SELECT action FROM audit_events WHERE action = 'test.append_only'`);
    expect(left.rowCount).toBe(1);
  });
});

describe('the chain hash', () => {
  it('when the verifier recomputes the hashes, then PostgreSQL computes each in place, not by a function call per row (039_audit_hash_inlined)', async () => {
    const { rows } = await app.services.pool.query<{ 'QUERY PLAN': string }>('EXPLAIN (VERBOSE, COSTS OFF) SELECT audit_row_hash(a) FROM audit_events a');
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('encode(sha256(convert_to(concat_ws(');
    expect(plan).not.toContain('audit_row_hash(');
  });
});

describe('tampering (in a database of its own, because it breaks the chain for good)', () => {
  const name = `replyline_test_${testRunId()}_audit`;
  const url = testDatabaseUrl(`${testRunId()}_audit`);
  let db: Db;

  beforeAll(async () => {
    await ensureDatabase(url);
    await migrate(url);
    db = createDb(createPool(url, 2));
    for (let i = 1; i <= 5; i += 1) {
      await appendAudit(db, { actor: systemActor('test'), action: `test.event_${i}` as AuditAction, subjectType: 'test', subjectId: String(i), after: { i } });
    }
  });
  afterAll(async () => {
    await db?.destroy();
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('when a superuser alters event #3 behind the trigger, then verifyAuditChain and the CLI name #3 and the CLI exits 1', async () => {
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 5 });

    const su = new pg.Client({ connectionString: url });
    await su.connect();
    try {
      await su.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await su.query(`UPDATE audit_events SET after = '{"i": 999}' WHERE seq = 3`);
      await su.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    } finally {
      await su.end();
    }

    expect(await verifyAuditChain(db)).toEqual({ ok: false, events: 5, brokenAtSeq: '3', problem: expect.stringContaining('altered') });

    const cli = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'npm',
        ['run', '--silent', 'cli', '--', 'audit:verify', '--json'],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
      );
    });
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout.trim())).toMatchObject({ ok: false, brokenAtSeq: '3', events: 5 });
  }, 60_000);

  it('when a superuser deletes an event behind the trigger, then the gap is named', async () => {
    const su = new pg.Client({ connectionString: url });
    await su.connect();
    try {
      await su.query(`UPDATE audit_events SET after = '{"i": 3}' WHERE seq = 3`).catch(() => undefined); // refused: trigger is back on
      await su.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await su.query('DELETE FROM audit_events WHERE seq = 1');
      await su.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    } finally {
      await su.end();
    }
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: '2', problem: expect.stringContaining('gap') });
  });
});
