import fc from 'fast-check';
import { detect } from 'tinyld';
import { createLanguageDetector } from '../../../server/domain/listening/languageDetector';
import { DETECTED_LANGUAGES, detectLanguage } from '../../../server/domain/listening/postSignals';
import { tinyldModel } from '../../../server/domain/listening/tinyldModel';

const ours = createLanguageDetector(tinyldModel(DETECTED_LANGUAGES));
const tinyld = (text: string) => detect(text, { only: [...DETECTED_LANGUAGES] });

const GERMAN = 'Wo bleibt meine Bestellung? Ich warte schon seit Tagen.';
const ENGLISH = 'My order never arrived and nobody answers the phone.';
const FRENCH = "Où est ma commande ? J'attends depuis une semaine.";
const RUSSIAN = 'Где мой заказ? Я жду уже неделю.';

/** Posts as customers write them: several languages, punctuation that splits, digits, accents, emoji, scripts we do not detect. */
const POSTS = [
  GERMAN,
  'Danke, hat geklappt!',
  'Danke!',
  'Paket kaputt',
  'Mein Router (Modell X-200) verliert ständig die Verbindung… seit 3 Tagen!!!',
  'Rechnung #100234: seit 4 Tagen warte ich, bitte melden Sie sich (a1b2c3d4/17).',
  ENGLISH,
  'Thanks a lot, that fixed it :)',
  FRENCH,
  'Il pacco è arrivato danneggiato, vorrei un rimborso.',
  '¿Dónde está mi pedido? Llevo días esperando.',
  'Mijn pakket is nog steeds niet bezorgd.',
  'Gdzie jest moja przesyłka? Czekam już tydzień.',
  'Siparişim hâlâ gelmedi, lütfen yardım edin.',
  'Onde está a minha encomenda? Já espero há dias.',
  'Min pakke er ikke kommet endnu.',
  'Mitt paket har inte kommit än.',
  'Kde je moje zásilka? Čekám už týden.',
  RUSSIAN,
  'Де моє замовлення? Я чекаю вже тиждень.',
  'أين طلبي؟ أنتظر منذ أسبوع.',
  '我的订单在哪里？我已经等了一个星期。',
  '注文した商品がまだ届きません。',
  'Hallo!!! 👋 Das ist „super“ – aber: nicht [wirklich] {gut} <3 ⋯ 《ok》',
  'ＡＢＣ１２３ ｄｅｆ',
  'Straße Ärger Öl Übermut äöüß ÄÖÜ',
  'e\u0301te\u0301 cafe\u0301 naïve',
  "l’été d’un jour – it's fine",
  '   ',
  '',
  '12345 67890',
  '!!!???...',
  '@kundin_42 #Lieferung https://example.com/a?b=c',
  'ok',
  'a',
  'Hi, ich habe eine Frage zu meiner invoice from last month, bitte call me back.',
  // where each word's 8 best languages decide (a ninth or a missing eighth would change the answer)
  'm ю øê',
  'x ž иåпh',
  'b qwtrı чåл',
  'ní minn он buje',
  // tinyld reads the 7 longest chunks (emoji are in no language's n-grams): not the German eighth, but the seventh
  `${'👍👍👍👍👍👍, '.repeat(7)}der`,
  `${'👍👍👍👍👍👍, '.repeat(6)}der`,
  // where the closeness to a word's best is rounded to 4 places (unrounded: nl), and where digits are dropped
  'domu tengo hebt',
  'ecis 4uden ebbe öz',
];

describe("language detection: tinyld's answers, computed for our languages", () => {
  it.each(POSTS)('names the language tinyld names for %j', (text) => {
    expect(ours(text)).toBe(tinyld(text));
  });

  it('detects the languages of customers it should (the samples are not all undecided)', () => {
    expect(ours(GERMAN)).toBe('de');
    expect(ours(ENGLISH)).toBe('en');
    expect(ours(FRENCH)).toBe('fr');
    expect(ours(RUSSIAN)).toBe('ru');
    expect(detectLanguage(GERMAN)).toBe('de');
    expect(detectLanguage('')).toBeNull();
  });

  it('agrees with tinyld on any mix of words, letters, accents, scripts, punctuation and spaces', () => {
    const pieces = fc.oneof(
      fc.constantFrom(
        'die',
        'und',
        'nicht',
        'Bestellung',
        'the',
        'order',
        'never',
        'le',
        'est',
        'très',
        'il',
        'è',
        'el',
        'está',
        'het',
        'niet',
        'jest',
        'się',
        'değil',
        'não',
        'ikke',
        'inte',
        'není',
        'это',
        'не',
        'це',
        'في',
        'على',
        '的',
        'は',
        'Öl',
        'Straße',
        'ça',
      ),
      fc.constantFrom(
        ' ',
        '  ',
        '\t',
        '\n',
        ',',
        '.',
        '!',
        '?',
        '(',
        ')',
        '[',
        ']',
        '\\',
        '"',
        '„',
        '“',
        '’',
        "'",
        ':',
        ';',
        '…',
        '-',
        '–',
        '#',
        '@',
        '/',
        '*',
        '{',
        '}',
        '<',
        '>',
        '《',
        '》',
        '。',
        '，',
        '、',
      ),
      fc.string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzäöüßéèêàçñøåłśżčřšžğışãõабвгдежзиклмнопрстуфхцчшщыьэюяіїє0123456789ＡＢ１２'),
        minLength: 1,
        maxLength: 8,
      }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
      fc.constantFrom('e\u0301', 'a\u0308', '한국어', '👍', '\u00a0', 'İ', 'ǅ'),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(ours(text)).toBe(tinyld(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a model without the n-grams tinyld would skip (white space only, two spaces in a row)', () => {
    const model = tinyldModel(DETECTED_LANGUAGES);
    const grams = [...model.uniques.keys(), ...model.multiples.keys()];
    expect(grams.length).toBeGreaterThan(10_000);
    expect(grams.filter((gram) => gram.trim() === '' || gram.includes('  '))).toEqual([]);
  });

  it('keeps only the asked languages of the model, in its own order', () => {
    const model = tinyldModel(['de', 'en']);
    expect(model.languages).toEqual(['en', 'de']);
    expect(createLanguageDetector(model)(FRENCH)).toBe(detect(FRENCH, { only: ['de', 'en'] }));
    expect(new Set(model.uniques.values())).toEqual(new Set([0, 1]));
  });

  it('refuses a language the model does not know (a typo would otherwise never be detected)', () => {
    expect(() => tinyldModel(['de', 'se'])).toThrow("tinyld's model has no n-grams for se");
  });
});
