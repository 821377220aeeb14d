/** The bot's rules without I/O: which words it searches with, which articles it offers, when it hands over, what an answer does. */
import { answerOutcome, BOT_ARTICLES_MAX, BOT_QUERY_WORDS_MAX, botSearchQuery, decideBotTurn } from '../../../server/domain/bot/botDecision';
import { handoverReply, offerReply, selfServedReply } from '../../../server/domain/bot/botReplies';

const hits = ['a', 'b', 'c', 'd', 'e'];

describe('the words the bot searches with', () => {
  it('when a visitor writes a sentence, then every word may match and nothing is read as query syntax', () => {
    expect(botSearchQuery('Wie kann ich meine Bestellung zurücksenden?')).toBe('Wie or kann or ich or meine or Bestellung or zurücksenden');
    expect(botSearchQuery('"return" -refund OR or label')).toBe('return or refund or label');
    expect(botSearchQuery('?! … --')).toBe('');
  });

  it('when a word repeats or the message is long, then each word counts once and at most the limit are used', () => {
    expect(botSearchQuery('Paket Paket Paket')).toBe('Paket');
    const long = Array.from({ length: 50 }, (_, i) => `wort${i}`).join(' ');
    expect(botSearchQuery(long).split(' or ')).toHaveLength(BOT_QUERY_WORDS_MAX);
  });
});

describe('a bot turn', () => {
  it('when articles match within the turns, then the best three are offered in their order', () => {
    expect(decideBotTurn({ turnsTaken: 0, maxTurns: 2, hits })).toEqual({ kind: 'offer', articles: hits.slice(0, BOT_ARTICLES_MAX) });
    expect(decideBotTurn({ turnsTaken: 1, maxTurns: 2, hits: ['x'] })).toEqual({ kind: 'offer', articles: ['x'] });
  });

  it('when no article matches, then the bot hands over (no_match)', () => {
    expect(decideBotTurn({ turnsTaken: 0, maxTurns: 2, hits: [] })).toEqual({ kind: 'handover', reason: 'no_match' });
  });

  it('when the visitor writes again after the last allowed turn, then the bot hands over (max_turns) even if articles match', () => {
    expect(decideBotTurn({ turnsTaken: 2, maxTurns: 2, hits })).toEqual({ kind: 'handover', reason: 'max_turns' });
    expect(decideBotTurn({ turnsTaken: 1, maxTurns: 1, hits })).toEqual({ kind: 'handover', reason: 'max_turns' });
  });
});

describe('the visitor answers the bot', () => {
  it('when "yes", then the chat is self-served; "no" and "human" hand over with their reasons', () => {
    expect(answerOutcome('yes')).toEqual({ kind: 'self_served' });
    expect(answerOutcome('no')).toEqual({ kind: 'handover', reason: 'not_helped' });
    expect(answerOutcome('human')).toEqual({ kind: 'handover', reason: 'asked' });
  });
});

describe('the bot speaks the visitor language and says it is automatic', () => {
  const articles = [{ id: '1', title: 'Rücksendung', url: 'https://rl.test/help/s/articles/1' }];

  it('when it offers articles, then the text names them with their links and asks whether that helped, labelled as automatic', () => {
    const de = offerReply('de', 'Ich bin ein automatischer Assistent.', articles);
    expect(de.text).toBe(
      'Ich bin ein automatischer Assistent.\n\nDiese Artikel könnten Ihre Frage beantworten:\n\n– Rücksendung: https://rl.test/help/s/articles/1\n\nHat das geholfen?',
    );
    expect(de.content).toMatchObject({ label: 'Automatische Antwort', articles, question: 'Hat das geholfen?', handover: false });
    expect(de.authorName).toBe('Automatischer Assistent');
    const en = offerReply('en', null, articles);
    expect(en.content).toMatchObject({ label: 'Automated reply', intro: 'These articles may answer your question:', question: 'Did that help?' });
  });

  it('when it hands over or the visitor was helped, then it says so and asks nothing', () => {
    expect(handoverReply('de', null, true).content).toMatchObject({ handover: true, question: null, articles: [] });
    expect(handoverReply('en', null, false).text).toBe('I am connecting you with a person from our team.');
    expect(selfServedReply('de').content).toMatchObject({ handover: false, question: null, label: 'Automatische Antwort' });
  });
});
