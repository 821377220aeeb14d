/**
 * Pausing the SLA clock while a conversation is saved for later.
 *
 * Rule (README, SLA section): a conversation in `saved` keeps its clock running unless the policy of
 * a post allows pausing (`pause_when_saved`). Then, when the conversation enters `saved`, each of its
 * posts still awaiting an answer (and not yet breached) records `sla_paused_at`, which the SLA sweep
 * passes by; when the conversation leaves `saved` by any transition (by hand, reminder, new inbound
 * post, reply), the post's due and warning instants move forward by the business minutes (of the
 * policy's calendar) that passed while paused, and the sweep times it again.
 *
 * `applySlaPause` is the single hook every status change calls with its before and after status.
 */
import type { Tx } from '../../db/client';
import type { ConversationStatus } from '../../db/schema';
import { appendAudit, type AuditEntry } from '../../db/repositories/audit.repo';
import {
  findPolicyWithCalendar,
  lockPausablePosts,
  lockPausedPosts,
  refreshConversationDue,
  resumePostClock,
  setConversationSlaTargets,
  setPostsPaused,
} from '../../db/repositories/sla.repo';
import type { Actor } from '../audit/actor';
import { addBusinessMinutes, businessMinutesBetween, type CompiledCalendar } from './businessTime';
import { compiledCalendarOf } from './calendarCache';

export type PausedClock = { dueAt: Date; warnAt: Date | null };
export type ShiftedClock = PausedClock & { pausedMinutes: number };

/**
 * The clock after a pause from `pausedAt` to `resumedAt`: due and warning instants move forward by
 * the business minutes that elapsed while paused (nothing moves when no business time passed).
 */
export function shiftPausedClock(cal: CompiledCalendar | null, clock: PausedClock, pausedAt: Date, resumedAt: Date): ShiftedClock {
  const pausedMinutes = resumedAt > pausedAt ? businessMinutesBetween(cal, pausedAt, resumedAt) : 0;
  if (pausedMinutes <= 0) return { dueAt: clock.dueAt, warnAt: clock.warnAt, pausedMinutes: 0 };
  return {
    dueAt: addBusinessMinutes(cal, clock.dueAt, pausedMinutes),
    warnAt: clock.warnAt ? addBusinessMinutes(cal, clock.warnAt, pausedMinutes) : null,
    pausedMinutes,
  };
}

/** What a status change means for paused clocks. */
export function pauseTransition(from: ConversationStatus, to: ConversationStatus): 'pause' | 'resume' | null {
  if (from !== 'saved' && to === 'saved') return 'pause';
  if (from === 'saved' && to !== 'saved') return 'resume';
  return null;
}

export type StatusChange = {
  conversationId: string;
  channelId: string;
  from: ConversationStatus;
  to: ConversationStatus;
  actor: Actor;
  now?: Date;
};

/** Where the hook's audit events go: appended right away, or (batch ingest) collected to be appended in order later. */
export type AuditSink = (entry: AuditEntry) => Promise<void> | void;

/** The hook every status change calls (inside its transaction): pauses or resumes clocks as needed. */
export async function applySlaPause(tx: Tx, change: StatusChange, audit: AuditSink = (e) => appendAudit(tx, e)): Promise<void> {
  const step = pauseTransition(change.from, change.to);
  if (step === 'pause') await pauseSlaClocks(tx, change, audit);
  if (step === 'resume') await resumeSlaClocks(tx, change, audit);
}

/**
 * The bot holds a chat (domain/bot): every running clock of its posts pauses, whatever the policy says about
 * saved conversations — the time is the bot's, not the team's; its handover resumes them (`resumeSlaClocks`).
 */
export async function pauseClocksForBot(tx: Tx, change: StatusChange): Promise<void> {
  await pauseSlaClocks(tx, change, (e) => appendAudit(tx, e), 'bot');
}

/** The bot hands a chat over: its paused clocks run again, their due times moved by the business minutes it held them. */
export async function resumeClocksAfterBot(tx: Tx, change: StatusChange): Promise<void> {
  await resumeSlaClocks(tx, change, (e) => appendAudit(tx, e));
}

async function pauseSlaClocks(tx: Tx, change: StatusChange, audit: AuditSink, reason: 'saved' | 'bot' = 'saved'): Promise<void> {
  const posts = await lockPausablePosts(tx, change.conversationId, reason === 'bot');
  if (posts.length === 0) return;
  const pausedAt = change.now ?? new Date();
  await setPostsPaused(
    tx,
    posts.map((p) => p.id),
    pausedAt,
  );
  await audit({
    actor: change.actor,
    action: 'sla.paused',
    channelId: change.channelId,
    subjectType: 'conversation',
    subjectId: change.conversationId,
    after: {
      pausedAt: pausedAt.toISOString(),
      posts: posts.map((p) => ({ messageId: p.id, dueAt: p.slaDueAt!.toISOString() })),
      ...(reason === 'bot' ? { reason } : {}),
    },
  });
}

async function resumeSlaClocks(tx: Tx, change: StatusChange, audit: AuditSink): Promise<void> {
  const posts = await lockPausedPosts(tx, change.conversationId);
  if (posts.length === 0) return;
  const resumedAt = change.now ?? new Date();
  const resumed = [];
  for (const post of posts) {
    const policy = post.slaPolicyId ? await findPolicyWithCalendar(tx, post.slaPolicyId) : undefined;
    const cal = policy ? compiledCalendarOf(policy) : null;
    const running = !post.respondedAt && post.slaDueAt && (post.slaState === 'ok' || post.slaState === 'warning');
    const shifted = running
      ? shiftPausedClock(cal, { dueAt: post.slaDueAt!, warnAt: post.slaWarnAt }, post.slaPausedAt!, resumedAt)
      : { dueAt: post.slaDueAt!, warnAt: post.slaWarnAt, pausedMinutes: 0 };
    await resumePostClock(tx, post.id, { slaDueAt: shifted.dueAt, slaWarnAt: shifted.warnAt });
    if (running && post.slaKind === 'first' && post.slaPolicyId) {
      await setConversationSlaTargets(tx, change.conversationId, { slaPolicyId: post.slaPolicyId, firstResponseDueAt: shifted.dueAt });
    }
    resumed.push({
      messageId: post.id,
      pausedAt: post.slaPausedAt!.toISOString(),
      pausedMinutes: Math.round(shifted.pausedMinutes * 1000) / 1000,
      dueAtBefore: post.slaDueAt?.toISOString() ?? null,
      dueAt: shifted.dueAt?.toISOString() ?? null,
    });
  }
  await refreshConversationDue(tx, change.conversationId);
  await audit({
    actor: change.actor,
    action: 'sla.resumed',
    channelId: change.channelId,
    subjectType: 'conversation',
    subjectId: change.conversationId,
    after: { resumedAt: resumedAt.toISOString(), posts: resumed },
  });
}
