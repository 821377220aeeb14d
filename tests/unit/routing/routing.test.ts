import fc from 'fast-check';
import {
  chooseAgent,
  isEligible,
  matchSkills,
  NO_SKILLS,
  regionMatches,
  type RoutingAgent,
  type Requirement,
} from '../../../server/domain/routing/chooseAgent';
import { planRouting, type Waiting } from '../../../server/domain/routing/planRouting';
import { compareQueued } from '../../../server/domain/routing/queueOrder';
import { DEFAULT_CAPACITY, occupiesSlot, SLOT_CLASSES, slotClassOf, type SlotClass } from '../../../server/domain/routing/slots';

const T0 = new Date('2026-12-03T09:00:00Z');
const min = (n: number) => new Date(T0.getTime() + n * 60_000);
const zero = { chat: 0, messaging: 0, social: 0, email: 0 };

function agent(id: string, over: Partial<RoutingAgent> = {}): RoutingAgent {
  return { id, availability: 'online', absent: false, skills: NO_SKILLS, capacity: DEFAULT_CAPACITY, load: { ...zero }, idleSince: T0, teamIds: [], ...over };
}
const req = (over: Partial<Requirement> = {}): Requirement => ({ slotClass: 'social', channelId: 'ch-1', ...over });

describe('eligibility', () => {
  test('when an agent is away, offline or absent, then they are not eligible', () => {
    expect(isEligible(agent('a', { availability: 'away' }), req())).toBe(false);
    expect(isEligible(agent('a', { availability: 'offline' }), req())).toBe(false);
    expect(isEligible(agent('a', { absent: true }), req())).toBe(false);
    expect(isEligible(agent('a'), req())).toBe(true);
  });

  test('when the queue belongs to a team, then only its members are eligible', () => {
    expect(isEligible(agent('a', { teamIds: ['t1'] }), req({ teamId: 't1' }))).toBe(true);
    expect(isEligible(agent('a', { teamIds: ['t2'] }), req({ teamId: 't1' }))).toBe(false);
  });

  test('when all slots of the class are used, then the agent is not eligible for that class only', () => {
    const a = agent('a', { capacity: { ...DEFAULT_CAPACITY, chat: 2 }, load: { ...zero, chat: 2 } });
    expect(isEligible(a, req({ slotClass: 'chat' }))).toBe(false);
    expect(isEligible(a, req({ slotClass: 'email' }))).toBe(true);
  });

  test('when the conversation needs a language or topic, then only agents with it (or with no restriction) qualify, and the match is named', () => {
    const skills = { ...NO_SKILLS, languages: ['de'], topics: ['Lieferung'] };
    expect(matchSkills(skills, req({ language: 'de', topic: 'lieferung' }))).toEqual([
      { kind: 'language', value: 'de' },
      { kind: 'topic', value: 'lieferung' },
    ]);
    expect(matchSkills(skills, req({ language: 'en' }))).toBeNull();
    expect(matchSkills(NO_SKILLS, req({ language: 'en' }))).toEqual([]);
  });

  test('when a region skill is a postcode range or a Bundesland, then postcodes and codes match it', () => {
    expect(regionMatches('80000-87999', '80331')).toBe(true);
    expect(regionMatches('80000-87999', '10115')).toBe(false);
    expect(regionMatches('10115', '10115')).toBe(true);
    expect(regionMatches('BY', 'by')).toBe(true);
    expect(regionMatches('80000-87999', 'BY')).toBe(false);
  });
});

describe('scoring', () => {
  test('when two agents are eligible, then the less loaded one (share of slots) gets the conversation', () => {
    const busy = agent('busy', { load: { ...zero, social: 2 }, capacity: { ...DEFAULT_CAPACITY, social: 5 } });
    const light = agent('light', { load: { ...zero, social: 3 }, capacity: { ...DEFAULT_CAPACITY, social: 10 } });
    const choice = chooseAgent([busy, light], req());
    expect(choice?.agent.id).toBe('light');
    expect(choice?.reason).toEqual({ matched: [], rule: 'least_loaded', load: 3, capacity: 10 });
  });

  test('when loads tie, then the agent idle longest wins', () => {
    expect(chooseAgent([agent('recent', { idleSince: min(5) }), agent('idle', { idleSince: min(1) })], req())?.agent.id).toBe('idle');
  });

  test('when nobody is eligible, then nobody is chosen', () => {
    expect(chooseAgent([agent('a', { availability: 'away' })], req())).toBeNull();
  });
});

describe('queue order', () => {
  test('when due times differ, then the soonest due goes first; without due time last; then priority; then longest waiting', () => {
    const q = [
      { id: 'none-urgent', dueAt: null, priority: 'urgent' as const, waitingSince: min(0) },
      { id: 'late', dueAt: min(30), priority: 'low' as const, waitingSince: min(0) },
      { id: 'soon', dueAt: min(10), priority: 'low' as const, waitingSince: min(5) },
      { id: 'none-normal-old', dueAt: null, priority: 'normal' as const, waitingSince: min(-10) },
      { id: 'none-normal-new', dueAt: null, priority: 'normal' as const, waitingSince: min(3) },
    ];
    expect(q.sort(compareQueued).map((x) => x.id)).toEqual(['soon', 'late', 'none-urgent', 'none-normal-old', 'none-normal-new']);
  });
});

test('slot classes: direct messages are messaging work; assigned conversations occupy a slot, an answered one only while its live chat is open', () => {
  expect(slotClassOf('x', 'dm')).toBe('messaging');
  expect(slotClassOf('x', null)).toBe('social');
  expect(slotClassOf('webchat', null)).toBe('chat');
  const statuses = ['new', 'assigned', 'answered', 'saved', 'closed'] as const;
  expect(statuses.filter((s) => occupiesSlot(s, false))).toEqual(['assigned']);
  expect(statuses.filter((s) => occupiesSlot(s, true))).toEqual(['assigned', 'answered']);
});

// ---- properties of a routing pass over random agents and queues
const slotClass = fc.constantFrom<SlotClass>(...SLOT_CLASSES);
const languages = fc.subarray(['de', 'en', 'tr']);
const agentArb = (id: string) =>
  fc
    .record({
      availability: fc.constantFrom<'online' | 'away' | 'offline'>('online', 'online', 'away', 'offline'),
      absent: fc.boolean(),
      languages,
      capacity: fc.record({ chat: fc.nat(4), messaging: fc.nat(5), social: fc.nat(6), email: fc.nat(6) }),
      used: fc.record({ chat: fc.nat(4), messaging: fc.nat(5), social: fc.nat(6), email: fc.nat(6) }),
      idle: fc.nat(600),
      teams: fc.subarray(['t1', 't2']),
    })
    .map(
      (r): RoutingAgent => ({
        id,
        availability: r.availability,
        absent: r.absent,
        skills: { ...NO_SKILLS, languages: r.languages },
        capacity: r.capacity,
        // an agent may start above capacity (a manager's override); routing must not add to it
        load: r.used,
        idleSince: min(-r.idle),
        teamIds: r.teams,
      }),
    );
const agentsArb = fc.integer({ min: 0, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => agentArb(`a${i}`))));
const queueArb = fc.array(
  fc.record({
    due: fc.option(fc.nat(120)),
    priority: fc.constantFrom('low' as const, 'normal' as const, 'high' as const, 'urgent' as const),
    wait: fc.nat(600),
    slotClass,
    language: fc.option(fc.constantFrom('de', 'en', 'tr')),
    team: fc.option(fc.constantFrom('t1', 't2')),
  }),
  { maxLength: 40 },
);
type RawQueue = typeof queueArb extends fc.Arbitrary<infer T> ? T : never;
const toQueue = (raw: RawQueue): Waiting[] =>
  raw.map((r, i) => ({
    id: `c${String(i).padStart(3, '0')}`,
    dueAt: r.due === null ? null : min(r.due),
    priority: r.priority,
    waitingSince: min(-r.wait),
    requirement: { slotClass: r.slotClass, channelId: 'ch', language: r.language, teamId: r.team },
  }));

describe('a routing pass (properties)', () => {
  test('never puts an agent above capacity, never routes to an away, offline or absent agent, never routes twice', () => {
    fc.assert(
      fc.property(agentsArb, queueArb, (agents, raw) => {
        const decisions = planRouting(toQueue(raw), agents, T0);
        const byId = new Map(agents.map((a) => [a.id, a]));
        const added = new Map<string, number>();
        const queue = new Map(toQueue(raw).map((w) => [w.id, w]));
        expect(new Set(decisions.map((d) => d.conversationId)).size).toBe(decisions.length);
        for (const d of decisions) {
          const a = byId.get(d.agentId)!;
          expect(a.availability).toBe('online');
          expect(a.absent).toBe(false);
          const cls = queue.get(d.conversationId)!.requirement.slotClass;
          const key = `${a.id}:${cls}`;
          added.set(key, (added.get(key) ?? 0) + 1);
          expect(a.load[cls] + added.get(key)!).toBeLessThanOrEqual(a.capacity[cls]);
        }
      }),
    );
  });

  test('a free slot is always filled from the head of the queue: no left-over conversation had an eligible agent with a free slot', () => {
    fc.assert(
      fc.property(agentsArb, queueArb, (agents, raw) => {
        const queue = toQueue(raw);
        const decisions = planRouting(queue, agents, T0);
        const after = agents.map((a) => ({ ...a, load: { ...a.load } }));
        for (const d of decisions) {
          const cls = queue.find((w) => w.id === d.conversationId)!.requirement.slotClass;
          after.find((a) => a.id === d.agentId)!.load[cls] += 1;
        }
        const routed = new Set(decisions.map((d) => d.conversationId));
        for (const w of queue.filter((x) => !routed.has(x.id))) {
          expect(after.some((a) => isEligible(a, w.requirement))).toBe(false);
        }
      }),
    );
  });

  test('the queue is served in order: a routed conversation never passes a waiting one that the same agent could have taken', () => {
    fc.assert(
      fc.property(agentsArb, queueArb, (agents, raw) => {
        const queue = [...toQueue(raw)].sort(compareQueued);
        const decisions = planRouting(queue, agents, T0);
        const routed = new Set(decisions.map((d) => d.conversationId));
        const position = new Map(queue.map((w, i) => [w.id, i]));
        for (const skipped of queue.filter((w) => !routed.has(w.id))) {
          for (const d of decisions) {
            if (position.get(d.conversationId)! < position.get(skipped.id)!) continue;
            const a = agents.find((x) => x.id === d.agentId)!;
            const same = queue[position.get(d.conversationId)!]!.requirement;
            // it was taken later in the order: so the skipped one needed another class or another skill
            const couldHave =
              same.slotClass === skipped.requirement.slotClass &&
              matchSkills(a.skills, skipped.requirement) !== null &&
              (!skipped.requirement.teamId || a.teamIds.includes(skipped.requirement.teamId));
            expect(couldHave).toBe(false);
          }
        }
      }),
    );
  });
});
