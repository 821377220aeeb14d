/** SLA fields of posts and conversations, for the API and the console. */
import type { SlaState } from '../db/schema';
import { conversationSlaState, slaStateAt } from '../domain/sla/policy';
import { escapeHtml } from './html';

type PostClock = {
  slaDueAt: Date | null;
  slaWarnAt: Date | null;
  slaState: SlaState | null;
  respondedAt: Date | null;
  businessMinutesToRespond: number | null;
  wallMinutesToRespond: number | null;
  slaKind?: string | null;
  breachResponsibleUserId?: string | null;
  breachResponsibleName?: string | null;
  breachReason?: string | null;
  slaPausedAt?: Date | null;
};

type JsonPost = {
  slaDueAt: string;
  slaWarnAt: string | null;
  slaState: SlaState | null;
  respondedAt: string | null;
  postedAt: string;
  slaPausedAt?: string | null;
};

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
const date = (s: string | null) => (s ? new Date(s) : null);

/** Per inbound post; null when the post is not timed (no policy applied). */
export function presentPostSla(m: PostClock, now = new Date()) {
  if (!m.slaDueAt) return null;
  const state = slaStateAt(m, now);
  return {
    kind: m.slaKind ?? null,
    dueAt: m.slaDueAt.toISOString(),
    warnAt: iso(m.slaWarnAt),
    // the clock stands still while the conversation is saved (policy pauses); null = running
    pausedAt: iso(m.slaPausedAt),
    state,
    respondedAt: iso(m.respondedAt),
    businessMinutesToRespond: m.businessMinutesToRespond,
    wallMinutesToRespond: m.wallMinutesToRespond,
    breach:
      state === 'breached'
        ? {
            responsibleUser: m.breachResponsibleUserId ? { id: m.breachResponsibleUserId, name: m.breachResponsibleName ?? null } : null,
            reason: m.breachReason ?? null,
          }
        : null,
  };
}

export function presentConversationSla(
  c: {
    firstResponseDueAt?: Date | null;
    nextResponseDueAt?: Date | null;
    resolutionDueAt?: Date | null;
    responseDueAt: Date | null;
    slaPosts: JsonPost[];
  },
  now = new Date(),
) {
  const posts = c.slaPosts.map((p) => ({
    slaDueAt: date(p.slaDueAt),
    slaWarnAt: date(p.slaWarnAt),
    slaState: p.slaState,
    respondedAt: date(p.respondedAt),
    postedAt: new Date(p.postedAt),
    slaPausedAt: date(p.slaPausedAt ?? null),
  }));
  return {
    firstResponseDueAt: iso(c.firstResponseDueAt),
    nextResponseDueAt: iso(c.nextResponseDueAt),
    resolutionDueAt: iso(c.resolutionDueAt),
    dueAt: iso(c.responseDueAt),
    state: conversationSlaState(posts, now),
  };
}

/** The live notification a manager's console shows when a post reaches its warning instant (one line, for SSE). */
export function slaToastHtml(
  e: { event: 'warning' | 'breached'; conversationId: string; caseNumber: string; dueAt: string; messageId: string },
  t: (key: 'sla.toast.warning' | 'sla.toast.breached' | 'sla.toast.open' | 'sla.toast.dismiss', vars?: Record<string, string | number>) => string,
  fmtTime: (d: Date) => string,
): string {
  const text = t(e.event === 'breached' ? 'sla.toast.breached' : 'sla.toast.warning', { case: e.caseNumber, due: fmtTime(new Date(e.dueAt)) });
  return (
    `<div class="toast toast-${e.event}" role="alert" data-message-id="${escapeHtml(e.messageId)}">` +
    `<span>${escapeHtml(text)}</span> <a href="/conversations/${escapeHtml(e.conversationId)}">${escapeHtml(t('sla.toast.open'))}</a>` +
    ` <button type="button" class="toast-close link-button" data-dismiss-toast>${escapeHtml(t('sla.toast.dismiss'))}</button></div>`
  );
}

/** Available in every view (app.locals); fmtMinutes, in the user's language, comes with the locale (middleware/locale.ts). */
export const slaViewHelpers = { slaPost: presentPostSla, slaConversation: presentConversationSla };
