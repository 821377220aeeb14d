/**
 * Pure SLA rules: which policy applies, when a post is due, what state it is in, how long the answer
 * took. No database, no clock of its own: callers pass `now`.
 *
 * Decisions (documented in the README's SLA section too):
 * - The clock starts at the post's time at the source (`postedAt`), not when we fetched it.
 * - Every inbound post gets its own due time. The first inbound post of a conversation is timed
 *   against the first-response target, every later one against the next-response target, also when
 *   it arrives while an earlier post still awaits an answer.
 * - The first outbound reply after a post answers it, and it answers every post still awaiting an
 *   answer at once. The reply counts at the moment it is queued by the agent (what the agent
 *   controls), not when the channel confirms delivery. Internal notes never count.
 */
import { addBusinessMinutes, businessMinutesBetween, type CompiledCalendar } from './businessTime';
import type { SlaKind, SlaState } from '../../db/schema';

export type SlaTargets = {
  firstResponseMinutes: number;
  nextResponseMinutes: number;
  resolutionMinutes: number | null;
  warnAtPercent: number;
};

/** A topic's policy wins over its channel's; with neither, the post is not timed. */
export function applicablePolicyId(channel: { slaPolicyId: string | null }, topic: { slaPolicyId: string | null } | null): string | null {
  return topic?.slaPolicyId ?? channel.slaPolicyId ?? null;
}

export function slaKindFor(isFirstInboundOfConversation: boolean): SlaKind {
  return isFirstInboundOfConversation ? 'first' : 'next';
}

export type SlaClock = { kind: SlaKind; dueAt: Date; warnAt: Date };

/** Due and warning instants of a post, in business time of the calendar (null = 24/7). */
export function startClock(cal: CompiledCalendar | null, targets: SlaTargets, kind: SlaKind, postedAt: Date): SlaClock {
  const minutes = kind === 'first' ? targets.firstResponseMinutes : targets.nextResponseMinutes;
  return {
    kind,
    dueAt: addBusinessMinutes(cal, postedAt, minutes),
    warnAt: addBusinessMinutes(cal, postedAt, (minutes * targets.warnAtPercent) / 100),
  };
}

export function resolutionDueAt(cal: CompiledCalendar | null, targets: SlaTargets, firstPostedAt: Date): Date | null {
  return targets.resolutionMinutes === null ? null : addBusinessMinutes(cal, firstPostedAt, targets.resolutionMinutes);
}

export type ResponseTiming = { state: 'met' | 'breached'; businessMinutes: number; wallMinutes: number };

/** Minutes rounded to one decimal: what the console and the API show. */
export const roundMinutes = (minutes: number) => Math.round(minutes * 10) / 10;

/** The answer to a post: met if it came no later than the due time, in business and wall minutes. */
export function timeResponse(cal: CompiledCalendar | null, post: { postedAt: Date; dueAt: Date }, respondedAt: Date): ResponseTiming {
  const wallMs = Math.max(0, respondedAt.getTime() - post.postedAt.getTime());
  return {
    state: respondedAt.getTime() <= post.dueAt.getTime() ? 'met' : 'breached',
    businessMinutes: roundMinutes(businessMinutesBetween(cal, post.postedAt, respondedAt)),
    wallMinutes: roundMinutes(wallMs / 60_000),
  };
}

export type TimedPost = {
  slaDueAt: Date | null;
  slaWarnAt: Date | null;
  slaState: SlaState | null;
  respondedAt: Date | null;
  /** set while the clock is paused (conversation saved, policy pauses: pause.ts); time stands still there */
  slaPausedAt?: Date | null;
};

/**
 * The state a post is in at `now`. The stored state is what the timers recorded; the clock may be
 * ahead of it (a timer not yet fired), and a recorded breach or answer never goes back.
 */
export function slaStateAt(post: TimedPost, wallNow: Date): SlaState | null {
  if (!post.slaDueAt) return null;
  const now = post.slaPausedAt && !post.respondedAt && post.slaPausedAt < wallNow ? post.slaPausedAt : wallNow;
  if (post.respondedAt) return post.slaState === 'breached' || post.respondedAt > post.slaDueAt ? 'breached' : 'met';
  if (post.slaState === 'breached' || now >= post.slaDueAt) return 'breached';
  if (post.slaState === 'warning' || (post.slaWarnAt && now >= post.slaWarnAt)) return 'warning';
  return 'ok';
}

const SEVERITY: Record<SlaState, number> = { met: 0, ok: 1, warning: 2, breached: 3 };

/**
 * A conversation's state: the worst state of the posts still awaiting an answer; when none awaits,
 * the state of its latest timed post (met or breached); null when nothing was ever timed.
 */
export function conversationSlaState(posts: (TimedPost & { postedAt: Date })[], now: Date): SlaState | null {
  const timed = posts.filter((p) => p.slaDueAt);
  if (timed.length === 0) return null;
  const awaiting = timed.filter((p) => !p.respondedAt);
  if (awaiting.length > 0) {
    return awaiting.map((p) => slaStateAt(p, now)!).reduce((worst, s) => (SEVERITY[s] > SEVERITY[worst] ? s : worst));
  }
  const latest = timed.reduce((a, b) => (b.postedAt > a.postedAt ? b : a));
  return slaStateAt(latest, now);
}

/** Remaining business minutes until due (negative once overdue: the overdue wall minutes). */
export function remainingMinutes(cal: CompiledCalendar | null, dueAt: Date, now: Date): number {
  if (now >= dueAt) return -roundMinutes((now.getTime() - dueAt.getTime()) / 60_000);
  return roundMinutes(businessMinutesBetween(cal, now, dueAt));
}
