/**
 * Personal values stay out of the audit hash chain (docs/audit-and-erasure.md): an event holds a reference and a
 * keyed digest; tombstoning the value keeps `audit:verify` green, and tampering with an event or a kept value
 * still fails it.
 */
import pg from 'pg';
import { createDb, createPool, type Db } from '../../server/db/client';
import { appendAudit } from '../../server/db/repositories/audit.repo';
import { tombstonePersonalValues } from '../../server/db/repositories/auditPersonalValues.repo';
import { systemActor } from '../../server/domain/audit/actor';
import { personalRef, revealPersonalValues } from '../../server/domain/audit/personalValues';
import { verifyPersonalValues } from '../../server/domain/audit/verifyAudit';
import { verifyAuditChain } from '../../server/db/repositories/audit.repo';

let db: Db;
/** What `audit:verify` checks: the chain, then the personal values beside it. */
async function verifyAudit(on: Db) {
  const chain = await verifyAuditChain(on);
  return chain.ok ? { ...chain, ...(await verifyPersonalValues(on)) } : chain;
}
beforeAll(() => {
  db = createDb(createPool(process.env.DATABASE_URL!, 2));
});
afterAll(() => db.destroy());

async function contactWithAuditedName(name: string) {
  return db.transaction().execute(async (tx) => {
    const { id } = await tx.insertInto('contacts').values({ name }).returning('id').executeTakeFirstOrThrow();
    const ref = await personalRef(tx, id, name);
    await appendAudit(tx, { actor: systemActor('test'), action: 'contact.updated', subjectType: 'contact', subjectId: id, after: { name: ref } });
    return { id, ref };
  });
}

async function superuser(statements: string[]) {
  const su = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await su.connect();
  try {
    for (const s of statements) await su.query(s);
  } finally {
    await su.end();
  }
}

describe('personal values beside the audit chain', () => {
  it('when an event names a customer, then the chain holds only a reference and a digest, and reading reveals the value', async () => {
    const { ref } = await contactWithAuditedName('Erika Mustermann');
    const chained = await db.selectFrom('auditEvents').select('after').where('action', '=', 'contact.updated').execute();
    expect(JSON.stringify(chained)).not.toContain('Erika');
    expect(ref.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await revealPersonalValues(db, [{ name: ref }])).toEqual([{ name: 'Erika Mustermann' }]);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it('when the values are tombstoned, then they are gone, the chain still verifies, and reading says erased', async () => {
    const { id, ref } = await contactWithAuditedName('Max Beispiel');
    expect(await tombstonePersonalValues(db, [id])).toBe(1);
    const row = await db.selectFrom('auditPersonalValues').selectAll().where('id', '=', ref.pv).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ value: null, key: null, digest: ref.digest, erasedAt: expect.any(Date) });
    expect(await revealPersonalValues(db, [{ name: ref }])).toEqual([{ name: { erased: true } }]);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it('when a kept personal value is altered, then verification names it; put back, the trail verifies again', async () => {
    const { ref } = await contactWithAuditedName('Jana Probe');
    await db.updateTable('auditPersonalValues').set({ value: 'Someone Else' }).where('id', '=', ref.pv).execute();
    expect(await verifyAudit(db)).toMatchObject({ ok: false, alteredPersonalValue: ref.pv, problem: expect.stringContaining('altered') });
    await db.updateTable('auditPersonalValues').set({ value: 'Jana Probe' }).where('id', '=', ref.pv).execute();
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it('when, after an erasure, one audit row is altered behind the trigger, then verification still fails at that row', async () => {
    const target = await db.selectFrom('auditEvents').select('seq').where('action', '=', 'contact.updated').orderBy('seq').executeTakeFirstOrThrow();
    await superuser([
      'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only',
      `UPDATE audit_events SET after = '{"name": {"pv": "forged", "digest": "00"}}' WHERE seq = ${Number(target.seq)}`,
      'ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only',
    ]);
    expect(await verifyAudit(db)).toMatchObject({ ok: false, brokenAtSeq: target.seq, problem: expect.stringContaining('altered') });
  });
});
