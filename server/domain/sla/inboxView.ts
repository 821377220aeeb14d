/**
 * What the inbox shows per conversation: SLA state, the due time of the post awaiting an answer
 * longest, and the business minutes left (the browser counts them down: static/sla-countdown.js).
 */
import type { DbOrTx } from '../../db/client';
import { findPoliciesWithCalendars } from '../../db/repositories/sla.repo';
import { presentConversationSla } from '../../presenters/sla.presenter';
import { isOpen } from './businessTime';
import { compiledCalendarOf } from './calendarCache';
import { remainingMinutes } from './policy';

type Row = Parameters<typeof presentConversationSla>[0] & { id: string; slaPolicyId: string | null };

export type InboxSla = { state: string | null; dueAt: Date | null; remainingMinutes: number | null; openNow: boolean };

export async function inboxSlaView(db: DbOrTx, rows: Row[], now = new Date()): Promise<Map<string, InboxSla>> {
  const policyIds = [...new Set(rows.map((r) => r.slaPolicyId).filter((id): id is string => id !== null))];
  const policies = new Map((await findPoliciesWithCalendars(db, policyIds)).map((p) => [p.id, compiledCalendarOf(p)]));
  const view = new Map<string, InboxSla>();
  for (const row of rows) {
    const { state } = presentConversationSla(row, now);
    const cal = row.slaPolicyId ? (policies.get(row.slaPolicyId) ?? null) : null;
    const dueAt = row.responseDueAt;
    view.set(row.id, {
      state,
      dueAt,
      remainingMinutes: dueAt ? remainingMinutes(cal, dueAt, now) : null,
      openNow: isOpen(cal, now),
    });
  }
  return view;
}
