/**
 * Service levels in the demo: a Berlin office-hours calendar (Mon–Fri 08:00–18:00, public holidays
 * of North Rhine-Westphalia), a 60-minute first-response policy on the shop channel and a 4-hour one
 * on the app channel. The demo's replies are played straight into the database, so once everything
 * is loaded each reply stops the clocks it answers, the way queueReply does live. Posts still
 * awaiting an answer keep their clocks (the worker's SLA sweep fires their warnings and breaches),
 * except in closed conversations, where no answer is owed any more.
 */
import type { Db, Tx } from '../db/client';
import { listOutboundForSla } from '../db/repositories/demo.repo';
import { clearClocksOfClosedConversations } from '../db/repositories/sla.repo';
import { systemActor } from '../domain/audit/actor';
import { stopSlaClocks } from '../domain/sla/clock';
import { changeChannelSla, createCalendar, createPolicy } from '../domain/sla/settings';

const actor = systemActor('demo-loader');

export const DEMO_CALENDAR = {
  name: 'Büro Berlin (Mo–Fr 08–18, Feiertage NRW)',
  timeZone: 'Europe/Berlin',
  weekly: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']], thu: [['08:00', '18:00']], fri: [['08:00', '18:00']] },
  holidays: { country: 'DE', region: 'NW' },
  closures: [],
};

/** Returns the calendar, which the demo's chat site keeps as its opening hours. */
export async function seedDemoSla(tx: Tx, channels: { shop: { id: string }; app: { id: string } }): Promise<{ calendarId: string }> {
  const calendar = await createCalendar(tx, DEMO_CALENDAR, actor);
  const base = { calendarId: calendar.id, warnAtPercent: 80, pauseWhenSaved: false, botsCountAsResponse: false };
  const fast = await createPolicy(
    tx,
    { ...base, name: 'Shop: Erstantwort 60 Min.', firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 480 },
    actor,
  );
  const normal = await createPolicy(
    tx,
    { ...base, name: 'App: Erstantwort 4 Std.', firstResponseMinutes: 240, nextResponseMinutes: 240, resolutionMinutes: 1_440 },
    actor,
  );
  await changeChannelSla(tx, channels.shop.id, { calendarId: calendar.id, slaPolicyId: fast.id }, actor);
  await changeChannelSla(tx, channels.app.id, { calendarId: calendar.id, slaPolicyId: normal.id }, actor);
  return { calendarId: calendar.id };
}

/** Lets every demo reply stop the clocks it answers (met, or breached with the assignee responsible). */
export async function settleDemoSla(db: Db, conversationIds: string[]) {
  const replies = await listOutboundForSla(db, conversationIds);
  await db.transaction().execute(async (tx) => {
    for (const r of replies) {
      await stopSlaClocks(
        tx,
        {
          conversationId: r.conversationId,
          channelId: r.channelId,
          replyMessageId: r.id,
          respondedAt: r.postedAt,
          assigneeId: r.assigneeId,
        },
        { type: 'user', id: r.authorUserId, label: r.authorEmail ?? 'demo' },
      );
    }
  });
  // A conversation closed after the customer's last word ("thanks!") owes no answer to it.
  await clearClocksOfClosedConversations(db, conversationIds);
}
