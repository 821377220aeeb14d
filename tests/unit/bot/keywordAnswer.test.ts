/** A messaging customer's keyword answer to the bot (bot first on Telegram and WhatsApp): JA/YES, NEIN/NO, MENSCH/HUMAN. */
import { keywordAnswer } from '../../../server/domain/bot/botDecision';

describe('the keyword answers', () => {
  it('when the customer sends one keyword in any case, trimmed, with punctuation or emoji, then it is that answer', () => {
    expect(['JA', 'ja', ' Ja! ', 'ja.', 'YES', 'yes!!', '„Ja“', 'Ja 👍'].map(keywordAnswer)).toEqual(Array(8).fill('yes'));
    expect(['NEIN', 'nein.', 'No', ' no? ', '-nein-'].map(keywordAnswer)).toEqual(Array(5).fill('no'));
    expect(['MENSCH', 'mensch!', 'Human', '*HUMAN*', '\tMensch\n'].map(keywordAnswer)).toEqual(Array(5).fill('human'));
  });

  it('when the message says more than the keyword or another word, then it is no answer (the bot takes it as a question)', () => {
    for (const text of ['ja, aber wo ist mein Paket?', 'Nein danke', 'menschlich', 'jaja', 'yes please', 'no-go', '', '   ', '?!', 'ok', 'nö']) {
      expect(keywordAnswer(text)).toBeNull();
    }
  });

  it('when a keyword is written in full-width letters, then it is no answer (only the plain word counts)', () => {
    expect(keywordAnswer('ＪＡ')).toBeNull();
    expect(keywordAnswer('ＭＥＮＳＣＨ')).toBeNull();
  });
});
