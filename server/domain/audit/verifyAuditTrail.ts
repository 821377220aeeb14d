/**
 * Verifies the audit hash chain and records the result as a checkpoint. Incremental runs start after
 * the newest intact checkpoint (whose own event is checked again) and read only what came since, in
 * chunks; a full run starts at the first event. A newly found break is raised to every admin and
 * auditor (a notification, live) and written to the trail itself, in the transaction that records it.
 */
import type { Db, Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import {
  auditEventHashes,
  auditGuardians,
  checkAuditRange,
  insertAuditBreakAlerts,
  insertVerification,
  latestCheckpoint,
  latestVerification,
  type ChainLink,
} from '../../db/repositories/auditVerifications.repo';
import type { AuditVerification, Role } from '../../db/schema';
import { raiseAuditBreakAlerts } from '../alerts/auditBreakAlerts';
import { Effects, inTransaction, type Dispatcher } from '../effects';
import { systemActor, type Actor } from './actor';

/** Events recomputed per query: one chunk takes well under a second, so a long run never holds one big snapshot. */
const CHUNK = 50_000;
const GENESIS: ChainLink = { seq: '0', hash: 'genesis' };
export const VERIFIER = systemActor('audit-verifier');

export type VerificationRequest =
  | { mode: 'incremental' | 'full'; trigger: 'schedule' | 'cli' }
  | { mode: 'incremental' | 'full'; trigger: 'on_demand'; by: Actor & { name: string } };

type Outcome = { through: ChainLink; checked: number; broken: { seq: string; problem: string } | null };

async function startingPoint(db: Db, mode: VerificationRequest['mode']): Promise<{ from: ChainLink; broken: Outcome['broken'] }> {
  if (mode === 'full') return { from: GENESIS, broken: null };
  const checkpoint = await latestCheckpoint(db);
  if (!checkpoint?.throughHash) return { from: GENESIS, broken: null };
  const from = { seq: checkpoint.throughSeq, hash: checkpoint.throughHash };
  const now = await auditEventHashes(db, from.seq);
  if (!now || now.hash !== from.hash || now.recomputed !== from.hash) {
    return { from, broken: { seq: from.seq, problem: 'the last verified event was altered or removed since it was verified' } };
  }
  return { from, broken: null };
}

async function walk(db: Db, from: ChainLink): Promise<Outcome> {
  let through = from;
  let checked = 0;
  for (;;) {
    const r = await checkAuditRange(db, through, CHUNK);
    checked += r.checked;
    if (r.broken) return { through, checked, broken: r.broken };
    if (r.last) through = r.last;
    if (r.checked < CHUNK) return { through, checked, broken: null };
  }
}

export async function verifyAuditTrail(db: Db, dispatcher: Dispatcher | null, req: VerificationRequest): Promise<AuditVerification> {
  const startedAt = new Date();
  const start = await startingPoint(db, req.mode);
  const outcome = start.broken ? { through: start.from, checked: 0, broken: start.broken } : await walk(db, start.from);
  const record = async (tx: Tx, effects: Effects) => {
    const previous = await latestVerification(tx);
    const verification = await insertVerification(tx, {
      mode: req.mode,
      trigger: req.trigger,
      requestedBy: req.trigger === 'on_demand' ? req.by.name : null,
      startedAt,
      fromSeq: String(BigInt(start.from.seq) + 1n),
      throughSeq: outcome.broken ? outcome.broken.seq : outcome.through.seq,
      throughHash: outcome.broken || outcome.through === GENESIS ? null : outcome.through.hash,
      eventsChecked: String(outcome.checked),
      ok: !outcome.broken,
      brokenAtSeq: outcome.broken?.seq ?? null,
      problem: outcome.broken?.problem ?? null,
    });
    if (req.trigger === 'on_demand') {
      await appendAudit(tx, {
        actor: req.by,
        action: 'audit.verified',
        subjectType: 'audit',
        subjectId: verification.id,
        after: { mode: req.mode, ok: verification.ok, throughSeq: verification.throughSeq, eventsChecked: outcome.checked },
      });
    }
    const newBreak = outcome.broken && !(previous && !previous.ok && previous.brokenAtSeq === outcome.broken.seq);
    if (newBreak) {
      const guardians = await auditGuardians(tx);
      const ids = guardians.map((g) => g.id);
      const alerts = await raiseAuditBreakAlerts(
        tx,
        effects,
        { brokenAtSeq: outcome.broken!.seq, problem: outcome.broken!.problem, guardians: ids },
        new Date(),
      );
      if (!alerts.toldInConsole) await insertAuditBreakAlerts(tx, ids, verification.id, VERIFIER.label);
      await appendAudit(tx, {
        actor: VERIFIER,
        action: 'audit.chain_broken',
        subjectType: 'audit',
        subjectId: verification.id,
        after: { brokenAtSeq: outcome.broken!.seq, problem: outcome.broken!.problem, alerted: guardians.length },
      });
      if (!alerts.toldInConsole) for (const g of guardians) effects.publish({ type: 'notification', userId: g.id });
    }
    return verification;
  };
  return dispatcher ? inTransaction(db, dispatcher, record) : db.transaction().execute((tx) => record(tx, new Effects()));
}

/** Who may start a verification from the console: the people a broken chain is raised to. */
export const mayRequestVerification = (role: Role) => role === 'admin' || role === 'auditor';
