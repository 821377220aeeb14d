/**
 * Plans the demo conversations without touching the database: who writes what and when, who is
 * assigned, who answers, which status each ends in. The same seed and `now` give the same plans.
 * Older conversations are mostly closed, recent ones mostly waiting, so the inbox looks like a real day.
 */
import type { ConversationStatus, Role } from '../db/schema';
import { DEMO_LOGINS } from './demoLogins';
import { CUSTOMER_NAMES, FOLLOW_UPS, NUDGES, SCENARIOS, THANKS, fillTemplate, type DemoChannelKey, type DemoLanguage } from './demoTexts';
import { seededRandom, type Random } from './random';

export type StaffRole = Extract<Role, 'agent' | 'manager'>;

export type DemoCustomer = { externalId: string; name: string; handle: string };

export type PlanStep =
  | { kind: 'inbound'; at: Date; externalId: string; inReplyTo: string | null; text: string }
  | { kind: 'assign'; at: Date; to: StaffRole; by: StaffRole }
  | { kind: 'reply'; at: Date; externalId: string; text: string; by: StaffRole }
  | { kind: 'status'; at: Date; to: 'saved' | 'closed'; by: StaffRole };

export type ConversationPlan = { channel: DemoChannelKey; customer: DemoCustomer; status: ConversationStatus; steps: PlanStep[] };

type Draft = Omit<ConversationPlan, 'customer'> & { lang: DemoLanguage };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const DAYS_BACK = 14;
/** Hours (UTC) at which customers write, weighted: few at night, most during the day. */
const HOURS: readonly (readonly [number, number])[] = [
  [5, 2],
  [6, 4],
  [7, 8],
  [8, 10],
  [9, 10],
  [10, 9],
  [11, 9],
  [12, 10],
  [13, 9],
  [14, 8],
  [15, 8],
  [16, 9],
  [17, 10],
  [18, 9],
  [19, 6],
  [20, 4],
  [21, 2],
  [22, 1],
];
/** Final status by age of the conversation in days. */
const STATUS_BY_AGE: readonly (readonly [number, readonly (readonly [ConversationStatus, number])[]])[] = [
  [
    0.25,
    [
      ['new', 45],
      ['assigned', 30],
      ['saved', 5],
      ['answered', 20],
    ],
  ],
  [
    3,
    [
      ['new', 12],
      ['assigned', 22],
      ['saved', 10],
      ['answered', 30],
      ['closed', 26],
    ],
  ],
  [
    Infinity,
    [
      ['new', 5],
      ['assigned', 8],
      ['saved', 7],
      ['answered', 20],
      ['closed', 60],
    ],
  ],
];
/** Share of conversations whose customer already had a closed conversation on the channel. */
const RETURNING_SHARE = 0.15;

export function planConversations(opts: { now: Date; seed: number; count: number }): ConversationPlan[] {
  const r = seededRandom(opts.seed);
  const now = opts.now.getTime();
  const drafts = Array.from({ length: opts.count }, (_, i) => planOne(r, i, now)).sort((a, b) => startOf(a) - startOf(b));
  const customers = chooseCustomers(r, drafts);
  return drafts.map(({ lang: _lang, ...draft }, i) => {
    const customer = customers[i]!;
    const first = customer.name.split(' ')[0] ?? customer.name;
    const steps = draft.steps.map((s) => ('text' in s ? { ...s, text: fillTemplate(s.text, { first }) } : s));
    return { ...draft, customer, steps };
  });
}

function planOne(r: Random, i: number, now: number): Draft {
  const scenario = r.pick(SCENARIOS);
  const { lang } = scenario;
  const start = pickStart(r, now);
  const status = r.weighted(STATUS_BY_AGE.find(([maxAge]) => (now - start) / DAY < maxAge)![1]);
  const staff: StaffRole = r.chance(0.75) ? 'agent' : 'manager';
  const vars = { order: `RL-${r.int(100000, 999999)}`, agent: firstNameOf(staff) };

  const steps: PlanStep[] = [];
  let t = start;
  let n = 0;
  const wait = (minMinutes: number, maxMinutes: number) => {
    t += r.int(minMinutes, maxMinutes) * MINUTE;
  };
  const inbound = (text: string, inReplyTo: string | null) => {
    const externalId = `demo-${i}-in-${++n}`;
    steps.push({ kind: 'inbound', at: new Date(t), externalId, inReplyTo, text: fillTemplate(text, vars) });
    return externalId;
  };
  const reply = (by: StaffRole) => {
    wait(10, 360);
    const externalId = `demo-${i}-out-${++n}`;
    steps.push({ kind: 'reply', at: new Date(t), externalId, text: fillTemplate(scenario.reply, vars), by });
    return externalId;
  };

  const opening = inbound(r.pick(scenario.openings), null);
  if (!scenario.praise && r.chance(0.25)) {
    wait(20, 300);
    inbound(r.pick(NUDGES[lang]), opening);
  }
  const assignee = status === 'assigned' || (status !== 'new' && r.chance(0.7)) ? staff : null;
  if (assignee) {
    wait(2, 90);
    steps.push({ kind: 'assign', at: new Date(t), to: assignee, by: assignee === 'agent' && r.chance(0.5) ? 'agent' : 'manager' });
  }
  const responder = assignee ?? 'agent';
  switch (status) {
    case 'new':
    case 'assigned':
      // Answered once, then the customer came back: the conversation reopened.
      if (!scenario.praise && r.chance(0.25)) {
        const answer = reply(responder);
        wait(15, 1440);
        inbound(r.pick(FOLLOW_UPS[lang]), answer);
      }
      break;
    case 'saved':
      wait(5, 120);
      steps.push({ kind: 'status', at: new Date(t), to: 'saved', by: responder });
      break;
    case 'answered':
      reply(responder);
      break;
    case 'closed': {
      const answer = reply(responder);
      if (!scenario.praise && r.chance(0.5)) {
        wait(15, 720);
        inbound(r.pick(THANKS[lang]), answer);
      }
      wait(30, 1440);
      steps.push({ kind: 'status', at: new Date(t), to: 'closed', by: responder });
      break;
    }
  }
  return { channel: scenario.channel, lang, status, steps: fitBefore(steps, start, now - MINUTE) };
}

/** A start within the last 14 days at a plausible hour; today's not-yet-reached hours become the last few hours. */
function pickStart(r: Random, now: number): number {
  const midnight = Math.floor(now / DAY) * DAY - r.int(0, DAYS_BACK - 1) * DAY;
  const start = midnight + r.weighted(HOURS) * 60 * MINUTE + r.int(0, 59) * MINUTE;
  return start <= now - 5 * MINUTE ? start : now - r.int(5, 180) * MINUTE;
}

/** Squeezes a timeline that would run into the future so it ends before `limit`, keeping its order. */
function fitBefore(steps: PlanStep[], start: number, limit: number): PlanStep[] {
  const end = steps[steps.length - 1]!.at.getTime();
  if (end <= limit) return steps;
  const factor = (limit - start) / (end - start);
  return steps.map((s) => ({ ...s, at: new Date(start + (s.at.getTime() - start) * factor) }));
}

/** New customers mostly; some come back after an earlier conversation on the channel was closed. */
function chooseCustomers(r: Random, drafts: Draft[]): DemoCustomer[] {
  const returning: { channel: DemoChannelKey; lang: DemoLanguage; customer: DemoCustomer; freeAt: number }[] = [];
  let created = 0;
  return drafts.map((d) => {
    const candidates = returning.filter((c) => c.channel === d.channel && c.lang === d.lang && c.freeAt < startOf(d));
    let customer: DemoCustomer;
    if (candidates.length && r.chance(RETURNING_SHARE)) {
      const back = r.pick(candidates);
      returning.splice(returning.indexOf(back), 1);
      customer = back.customer;
    } else {
      const names = CUSTOMER_NAMES[d.lang];
      const [first, last] = [r.pick(names.first), r.pick(names.last)];
      customer = {
        externalId: `demo-${d.channel}-customer-${++created}`,
        name: `${first} ${last}`,
        handle: `@${ascii(first)}_${ascii(last).slice(0, 1)}${r.int(1, 99)}`,
      };
    }
    if (d.status === 'closed') returning.push({ channel: d.channel, lang: d.lang, customer, freeAt: d.steps[d.steps.length - 1]!.at.getTime() });
    return customer;
  });
}

const startOf = (d: Draft) => d.steps[0]!.at.getTime();

const firstNameOf = (role: StaffRole) => DEMO_LOGINS.find((l) => l.role === role)!.name.split(' ')[0]!;

const ascii = (s: string) =>
  s
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/ı/g, 'i')
    .normalize('NFD')
    .replace(/[^a-z]/g, '');
