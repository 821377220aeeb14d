import fc from 'fast-check';
import { spikeVerdict } from '../../../server/domain/alerts/spikeVerdict';
import { scoreSentiment } from '../../../server/domain/listening/postSignals';

describe('is a window a spike', () => {
  const p = { sensitivity: 3, minCount: 10 };
  it.each([
    ['a new query with no history and 10 posts', 10, [], true],
    ['a new query with no history and 9 posts', 9, [], false],
    ['30 posts where 10 are usual', 30, [10, 10, 10, 10], true],
    ['29 posts where 10 are usual', 29, [8, 12, 10, 10], false],
    ['12 posts where 2 are usual (at least minCount)', 12, [2, 2, 2, 2], true],
  ])('when %s, then spike is %s', (_what, count, past, spike) => {
    expect(spikeVerdict(count, past, p).spike).toBe(spike);
  });

  it('when the count grows, then a spike stays a spike (monotone)', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.nat(100), fc.array(fc.nat(200), { maxLength: 4 }), (count, more, past) => {
        if (spikeVerdict(count, past, p).spike) expect(spikeVerdict(count + more, past, p).spike).toBe(true);
      }),
    );
  });
});

describe('sentiment from the German and English lexicons', () => {
  it.each([
    ['Schon wieder verspätet, eine Katastrophe.', 'de', 'negative'],
    ['Danke, super Service!', 'de', 'positive'],
    ['This is awful, I hate it', 'en', 'negative'],
    ['Great help, thanks a lot', 'en', 'positive'],
  ])('when %j (%s), then it is %s', (text, lang, label) => {
    expect(scoreSentiment(text, lang)?.label).toBe(label);
  });
  it('when the language has no lexicon, then there is no sentiment (never a guess)', () => {
    expect(scoreSentiment('C’est une catastrophe', 'fr')).toBeNull();
  });
});
