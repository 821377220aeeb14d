import fc from 'fast-check';
import { patchCapacity } from '../../../server/domain/routing/agents';
import { DEFAULT_CAPACITY, effectiveCapacity, MAX_SLOTS, SLOT_CLASSES, type Capacity } from '../../../server/domain/routing/slots';

const slots = fc.integer({ min: 0, max: MAX_SLOTS });
const partial = fc.record({ chat: slots, messaging: slots, social: slots, email: slots }, { requiredKeys: [] }) as fc.Arbitrary<Partial<Capacity>>;

describe('effectiveCapacity', () => {
  it('when nothing is set, then the global defaults apply', () => {
    expect(effectiveCapacity({}, [])).toEqual(DEFAULT_CAPACITY);
    expect(effectiveCapacity({}, [{}, {}])).toEqual(DEFAULT_CAPACITY);
  });

  it("when the agent has no slots of their own, then their team's default applies per class, the global default for the rest", () => {
    expect(effectiveCapacity({}, [{ chat: 1 }])).toEqual({ ...DEFAULT_CAPACITY, chat: 1 });
  });

  it("when the agent set a class, then it wins over the team's default, even 0", () => {
    expect(effectiveCapacity({ chat: 0 }, [{ chat: 4, email: 2 }])).toEqual({ ...DEFAULT_CAPACITY, chat: 0, email: 2 });
  });

  it('when the agent is in several teams, then each class gets the largest default any of them set', () => {
    expect(effectiveCapacity({}, [{ chat: 1, social: 20 }, { chat: 2 }, {}])).toEqual({ ...DEFAULT_CAPACITY, chat: 2, social: 20 });
  });

  it('property: each class is the own value if set, else the maximum of the teams that set it, else the global default; within 0..MAX_SLOTS', () => {
    fc.assert(
      fc.property(partial, fc.array(partial, { maxLength: 5 }), (own, teams) => {
        const got = effectiveCapacity(own, teams);
        for (const c of SLOT_CLASSES) {
          const set = teams.flatMap((t) => (t[c] === undefined ? [] : [t[c]]));
          expect(got[c]).toBe(own[c] ?? (set.length ? Math.max(...set) : DEFAULT_CAPACITY[c]));
          expect(got[c]).toBeGreaterThanOrEqual(0);
          expect(got[c]).toBeLessThanOrEqual(MAX_SLOTS);
        }
        // the order of the teams does not matter
        expect(effectiveCapacity(own, [...teams].reverse())).toEqual(got);
      }),
    );
  });
});

describe('patchCapacity', () => {
  it('when a class is given a number, null or nothing, then it is set, cleared or kept', () => {
    expect(patchCapacity({ chat: 2, email: 9 }, { chat: 4, email: null, social: undefined })).toEqual({ chat: 4 });
    expect(patchCapacity({ social: 3 }, {})).toEqual({ social: 3 });
  });
});
