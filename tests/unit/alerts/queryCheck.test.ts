/** domain/alerts/queryCheck.ts: a query's check looks again while posts matched the query during its last look. */
import { lookWhileChanging, QUERY_LOOKS } from '../../../server/domain/alerts/queryCheck';

/** A query's matches as the count sees them; `during` posts arrive while the given look runs. */
function stream(during: Record<number, number>) {
  let matches = 1;
  let looks = 0;
  const seenByLook: number[] = [];
  return {
    count: async () => String(matches),
    look: async () => {
      looks += 1;
      seenByLook.push(matches);
      matches += during[looks] ?? 0; // committed while this look ran: its snapshot did not see them
    },
    seenByLook,
  };
}

describe('lookWhileChanging', () => {
  it('when nothing matched during the look, then one look is enough', async () => {
    const s = stream({});
    expect(await lookWhileChanging(s.count, s.look)).toBe(1);
  });

  it('when two posts matched while the first look ran (their own checks dropped), then a second look sees them', async () => {
    const s = stream({ 1: 2 });
    expect(await lookWhileChanging(s.count, s.look)).toBe(2);
    expect(s.seenByLook).toEqual([1, 3]);
  });

  it('when posts keep matching during every look, then it stops after QUERY_LOOKS (the next slot takes over)', async () => {
    const s = stream({ 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1 });
    expect(await lookWhileChanging(s.count, s.look)).toBe(QUERY_LOOKS);
  });
});
