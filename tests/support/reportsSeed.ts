/**
 * Seeds timed inbound posts (and the replies that answered them) straight into the tables, with the SLA
 * columns of 002_sla.sql filled the way the SLA clock fills them: due = 60 business minutes of a
 * Mon–Fri 09:00–17:00 Berlin calendar with German holidays. Used by the report tests.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../server/db/client';
import type { SlaState } from '../../server/db/schema';
import { addBusinessMinutes, businessMinutesBetween, compileCalendar } from '../../server/domain/sla/businessTime';
import { parseCalendarDefinition } from '../../server/domain/sla/calendar';

const NINE_TO_FIVE: [string, string][] = [['09:00', '17:00']];
export const OFFICE = compileCalendar(
  parseCalendarDefinition({
    name: 'Berlin office',
    timeZone: 'Europe/Berlin',
    weekly: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE },
    holidays: { country: 'DE', region: 'BE' },
    closures: [],
  }),
);
export const TARGET_MINUTES = 60;

export type SeedSpec = {
  channelId: string;
  topicId?: string | null;
  postedAt: Date;
  /** minutes after posting the reply came; null = unanswered */
  replyAfterMinutes?: number | null;
  /** who sent the reply */
  responderId?: string | null;
  /** the assignee held responsible when the post breached */
  responsibleId?: string | null;
  /** false: an overdue unanswered post whose breach timer has not run yet (state stays 'ok') */
  timerFired?: boolean;
  text?: string;
};

export type SeededPost = {
  id: string;
  conversationId: string;
  channelId: string;
  topicId: string | null;
  postedAt: Date;
  slaDueAt: Date;
  slaState: SlaState;
  respondedAt: Date | null;
  businessMinutes: number | null;
  wallMinutes: number | null;
  responsibleId: string | null;
  breachReason: string | null;
  responderId: string | null;
};

const round1 = (n: number) => Math.round(n * 10) / 10;

export async function seedTimedPosts(db: Db, specs: SeedSpec[], now = new Date()): Promise<SeededPost[]> {
  const out: SeededPost[] = [];
  for (const s of specs) {
    const contact = await db.insertInto('contacts').values({ name: 'Erika Mustermann' }).returning('id').executeTakeFirstOrThrow();
    const dueAt = addBusinessMinutes(OFFICE, s.postedAt, TARGET_MINUTES);
    const respondedAt = s.replyAfterMinutes == null ? null : new Date(s.postedAt.getTime() + s.replyAfterMinutes * 60_000);
    const conv = await db
      .insertInto('conversations')
      .values({
        channelId: s.channelId,
        contactId: contact.id,
        lastMessageAt: respondedAt ?? s.postedAt,
        topicId: s.topicId ?? null,
        status: respondedAt ? 'answered' : 'new',
        assigneeId: s.responsibleId ?? s.responderId ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    let responseId: string | null = null;
    if (respondedAt) {
      const reply = await db
        .insertInto('messages')
        .values({
          conversationId: conv.id,
          channelId: s.channelId,
          direction: 'outbound',
          authorName: 'Agent',
          authorUserId: s.responderId ?? null,
          text: 'Danke, wir kümmern uns.',
          postedAt: respondedAt,
          deliveryState: 'sent',
          deliveredAt: respondedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      responseId = reply.id;
    }
    const late = respondedAt ? respondedAt > dueAt : now >= dueAt;
    const state: SlaState = respondedAt ? (late ? 'breached' : 'met') : late && s.timerFired !== false ? 'breached' : 'ok';
    const breachRecorded = state === 'breached';
    const business = respondedAt ? round1(businessMinutesBetween(OFFICE, s.postedAt, respondedAt)) : null;
    const wall = respondedAt ? round1((respondedAt.getTime() - s.postedAt.getTime()) / 60_000) : null;
    const reason = breachRecorded ? (respondedAt ? 'answered after the due time' : 'no answer before the due time') : null;
    const msg = await db
      .insertInto('messages')
      .values({
        conversationId: conv.id,
        channelId: s.channelId,
        direction: 'inbound',
        externalId: `seed-${randomUUID()}`,
        authorName: 'Erika Mustermann',
        text: s.text ?? 'Wo bleibt meine Bestellung?',
        postedAt: s.postedAt,
        slaKind: 'first',
        slaDueAt: dueAt,
        slaWarnAt: new Date(dueAt.getTime() - 12 * 60_000),
        slaState: state,
        respondedAt,
        responseMessageId: responseId,
        businessMinutesToRespond: business,
        wallMinutesToRespond: wall,
        breachedAt: breachRecorded ? dueAt : null,
        breachResponsibleUserId: breachRecorded ? (s.responsibleId ?? null) : null,
        breachReason: reason,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    out.push({
      id: msg.id,
      conversationId: conv.id,
      channelId: s.channelId,
      topicId: s.topicId ?? null,
      postedAt: s.postedAt,
      slaDueAt: dueAt,
      slaState: state,
      respondedAt,
      businessMinutes: business,
      wallMinutes: wall,
      responsibleId: breachRecorded ? (s.responsibleId ?? null) : null,
      breachReason: reason,
      responderId: respondedAt ? (s.responderId ?? null) : null,
    });
  }
  return out;
}

export async function makeTopic(db: Db, channelId: string, name: string) {
  return db.insertInto('topics').values({ channelId, name, query: name }).returning('id').executeTakeFirstOrThrow();
}

/** The scenario of the report tests: two channels, posts across local midnight, on the DST change 2026-10-25 and around Labour Day 2026-05-01. */
export function reportScenario(a: string, b: string, topicId: string, agent1: string, agent2: string, now = new Date()): SeedSpec[] {
  const at = (iso: string) => new Date(iso);
  const p = (channelId: string, iso: string, reply: number | null, extra: Partial<SeedSpec> = {}): SeedSpec => ({
    channelId,
    postedAt: at(iso),
    replyAfterMinutes: reply,
    responderId: agent1,
    responsibleId: agent1,
    ...extra,
  });
  return [
    // Saturday night into Sunday 2026-10-25 (DST ends at 03:00 CEST = 01:00 UTC): local midnight and the doubled 02:00 hour.
    p(a, '2026-10-24T21:30:00Z', 30, { topicId }),
    p(a, '2026-10-24T22:30:00Z', 20, { topicId, responderId: agent2 }),
    p(a, '2026-10-25T00:30:00Z', 600),
    p(a, '2026-10-25T01:30:00Z', null, { responsibleId: agent2, text: 'Seit Tagen keine Antwort!' }),
    p(a, '2026-10-25T22:30:00Z', 2 * 24 * 60, { responsibleId: agent2, responderId: agent2 }),
    p(a, '2026-10-25T23:30:00Z', 540, { topicId }),
    // An ordinary Tuesday and Wednesday in office hours.
    p(a, '2026-10-20T08:00:00Z', 45),
    p(a, '2026-10-20T09:00:00Z', 90, { responderId: agent2 }),
    p(a, '2026-10-20T12:00:00Z', 10, { topicId }),
    p(a, '2026-10-21T07:30:00Z', 61),
    // Labour Day (Friday 2026-05-01) and the afternoon before it.
    p(a, '2026-04-30T14:30:00Z', 15 * 60 + 30),
    p(a, '2026-05-01T08:00:00Z', 3 * 24 * 60 - 30),
    p(a, '2026-05-01T08:00:00Z', 3 * 24 * 60 + 30, { responderId: agent2 }),
    // Second channel.
    p(b, '2026-10-20T10:00:00Z', 5, { responderId: agent2 }),
    p(b, '2026-10-20T11:00:00Z', 200),
    p(b, '2026-10-25T01:10:00Z', 30),
    p(b, '2026-10-24T22:05:00Z', null, { timerFired: false }),
    // Today: one not yet due (open), whatever the time of day.
    p(a, new Date(now.getTime() - 10 * 60_000).toISOString(), null),
  ];
}
