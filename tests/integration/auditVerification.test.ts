/**
 * Audit chain verification that scales: the scheduled job verifies incrementally from the last intact
 * checkpoint, a tampered row is found and raised to admins and auditors (once), the audit page shows the
 * last result, and admins/auditors can start a run from the console.
 */
import pg from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { scheduleAuditVerification } from '../../jobs/auditVerification';
import { appendAudit } from '../../server/db/repositories/audit.repo';
import { systemActor } from '../../server/domain/audit/actor';
import { verifyAuditTrail } from '../../server/domain/audit/verifyAuditTrail';
import type { AuditAction } from '../../server/domain/audit/actions';
import { makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true });
});
afterAll(() => app.stop());

async function signIn(user: { email: string; password: string }): Promise<TestAgent> {
  const agent = request.agent(app.url);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
  expect(res.status).toBe(302);
  return agent;
}

// Probe events outside the catalogue, written only by this test (the cast says so).
const probe = (i: number) =>
  appendAudit(app.services.db, { actor: systemActor('test'), action: 'test.probe' as AuditAction, subjectType: 'test', subjectId: String(i), after: { i } });

const verifications = () => app.services.db.selectFrom('auditVerifications').selectAll().orderBy('id').execute();

async function tamper(seq: string) {
  const su = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await su.connect();
  try {
    await su.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await su.query(`UPDATE audit_events SET after = '{"i": "forged"}' WHERE seq = $1`, [seq]);
    await su.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
  } finally {
    await su.end();
  }
}

describe('on demand', () => {
  it('when an auditor presses "verify now", then the run is recorded with their name, audited, and the page shows its result', async () => {
    const auditor = await makeUser(app.services.db, { role: 'auditor', name: 'Ada Prüfer', locale: 'de' });
    const browser = await signIn(auditor);
    const page = await browser.get('/audit');
    expect(page.text).toContain('id="verify-now"');
    const res = await browser
      .post('/audit/verify')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(303);
    const last = (await verifications()).at(-1)!;
    expect(last).toMatchObject({ mode: 'incremental', trigger: 'on_demand', requestedBy: 'Ada Prüfer', ok: true });
    const shown = await browser.get('/audit');
    expect(shown.text).toContain(`Hash-Kette intakt bis Ereignis #${last.throughSeq}`);
    expect(shown.text).toContain('von Ada Prüfer');
    const audited = await app.services.db.selectFrom('auditEvents').selectAll().where('action', '=', 'audit.verified').executeTakeFirstOrThrow();
    expect(audited).toMatchObject({ actorId: auditor.id, subjectId: last.id });
  });

  it('when an agent or a manager asks for a run, then they are refused and nothing is recorded', async () => {
    const before = (await verifications()).length;
    for (const role of ['agent', 'manager'] as const) {
      const browser = await signIn(await makeUser(app.services.db, { role }));
      const page = await browser.get('/inbox');
      const res = await browser
        .post('/audit/verify')
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
      expect(res.status).toBe(403);
    }
    expect(await verifications()).toHaveLength(before);
  });
});

describe('incremental', () => {
  it('when events were added since the last checkpoint, then the next run checks only those and moves the checkpoint', async () => {
    const db = app.services.db;
    const first = await verifyAuditTrail(db, null, { mode: 'incremental', trigger: 'schedule' });
    for (let i = 0; i < 7; i += 1) await probe(i);
    const next = await verifyAuditTrail(db, null, { mode: 'incremental', trigger: 'schedule' });
    expect(next).toMatchObject({ ok: true, eventsChecked: '7', fromSeq: String(BigInt(first.throughSeq) + 1n) });
    expect(BigInt(next.throughSeq)).toBe(BigInt(first.throughSeq) + 7n);
    const full = await verifyAuditTrail(db, null, { mode: 'full', trigger: 'cli' });
    expect(full).toMatchObject({ ok: true, fromSeq: '1', throughSeq: next.throughSeq, eventsChecked: next.throughSeq });
  });
});

describe('a tampered row (this file keeps a broken chain from here on)', () => {
  it('when a row written after the last checkpoint is altered, then the scheduled verification finds it, alerts admins and auditors once, and an auditor sees it', async () => {
    const db = app.services.db;
    const admin = await makeUser(db, { role: 'admin', locale: 'de' });
    const auditor = await makeUser(db, { role: 'auditor', locale: 'de' });
    const agent = await makeUser(db, { role: 'agent', locale: 'de' });
    await verifyAuditTrail(db, null, { mode: 'incremental', trigger: 'schedule' });
    for (let i = 0; i < 3; i += 1) await probe(100 + i);
    const victim = await db
      .selectFrom('auditEvents')
      .select('seq')
      .where('action', '=', 'test.probe')
      .orderBy('seq', 'desc')
      .offset(1)
      .limit(1)
      .executeTakeFirstOrThrow();
    await tamper(victim.seq);

    await scheduleAuditVerification(app.services.queues, 200);
    const found = await until('the scheduled run to find the break', async () => (await verifications()).find((v) => v.trigger === 'schedule' && !v.ok));
    expect(found).toMatchObject({ brokenAtSeq: victim.seq, problem: expect.stringContaining('altered') });
    // later runs find the same break and keep showing it, but raise it only once
    await until('two more scheduled runs', async () => (await verifications()).filter((v) => v.trigger === 'schedule' && !v.ok).length >= 3);
    await scheduleAuditVerification(app.services.queues, 60_000);

    const alerts = await db.selectFrom('notifications').select(['userId', 'auditVerificationId']).where('kind', '=', 'audit_break').execute();
    expect(alerts.map((a) => a.userId)).toEqual(expect.arrayContaining([admin.id, auditor.id]));
    expect(alerts.map((a) => a.userId)).not.toContain(agent.id);
    expect(new Set(alerts.map((a) => a.auditVerificationId))).toEqual(new Set([found.id]));
    const raised = await db.selectFrom('auditEvents').selectAll().where('action', '=', 'audit.chain_broken').execute();
    expect(raised).toEqual([expect.objectContaining({ actorLabel: 'audit-verifier', after: expect.objectContaining({ brokenAtSeq: victim.seq }) })]);

    const browser = await signIn(auditor);
    const page = await browser.get('/audit');
    expect(page.text).toContain(`Hash-Kette gebrochen bei Ereignis #${victim.seq}`);
    const bell = await browser.get('/notifications');
    expect(bell.text).toContain(`Die Hash-Kette des Audit-Logs ist bei Ereignis #${victim.seq} gebrochen`);
  }, 30_000);

  it('when the event of the last intact checkpoint itself is altered later, then the next incremental run names it', async () => {
    const db = app.services.db;
    const checkpoint = await db
      .selectFrom('auditVerifications')
      .selectAll()
      .where('ok', '=', true)
      .orderBy('throughSeq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    await tamper(checkpoint.throughSeq);
    const run = await verifyAuditTrail(db, null, { mode: 'incremental', trigger: 'schedule' });
    expect(run).toMatchObject({ ok: false, brokenAtSeq: checkpoint.throughSeq, problem: expect.stringContaining('last verified event') });
  });
});
