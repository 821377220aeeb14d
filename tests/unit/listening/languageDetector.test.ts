import fc from 'fast-check';
import { detect } from 'tinyld';
import { createLanguageDetector } from '../../../server/domain/listening/languageDetector';
import { DETECTED_LANGUAGES, detectLanguage } from '../../../server/domain/listening/postSignals';
import { tinyldModel } from '../../../server/domain/listening/tinyldModel';

const ours = createLanguageDetector(tinyldModel(DETECTED_LANGUAGES));
const tinyld = (text: string) => detect(text, { only: [...DETECTED_LANGUAGES] });

/** Posts as customers write them: several languages, punctuation that splits, digits, accents, emoji, scripts we do not detect. */
const POSTS = [
  'Wo bleibt meine Bestellung? Ich warte schon seit Tagen.',
  'Danke, hat geklappt!',
  'Danke!',
  'Paket kaputt',
  'Mein Router (Modell X-200) verliert ständig die Verbindung… seit 3 Tagen!!!',
  'Rechnung #100234: seit 4 Tagen warte ich, bitte melden Sie sich (a1b2c3d4/17).',
  'My order never arrived and nobody answers the phone.',
  'Thanks a lot, that fixed it :)',
  "Où est ma commande ? J'attends depuis une semaine.",
  'Il pacco è arrivato danneggiato, vorrei un rimborso.',
  '¿Dónde está mi pedido? Llevo días esperando.',
  'Mijn pakket is nog steeds niet bezorgd.',
  'Gdzie jest moja przesyłka? Czekam już tydzień.',
  'Siparişim hâlâ gelmedi, lütfen yardım edin.',
  'Onde está a minha encomenda? Já espero há dias.',
  'Min pakke er ikke kommet endnu.',
  'Mitt paket har inte kommit än.',
  'Kde je moje zásilka? Čekám už týden.',
  'Где мой заказ? Я жду уже неделю.',
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
  // where each word's 8 best languages decide (a ninth would change the answer)
  'm ю øê',
  'x ž иåпh',
  'b qwtrı чåл',
  // eight chunks: tinyld reads the 7 longest (emoji are in no language's n-grams), never the German eighth
  `${'👍👍👍👍👍👍, '.repeat(7)}der`,
];

describe("language detection: tinyld's answers, computed for our languages", () => {
  it.each(POSTS)('names the language tinyld names for %j', (text) => {
    expect(ours(text)).toBe(tinyld(text));
  });

  it('detects the languages of customers it should (the samples are not all undecided)', () => {
    expect(ours(POSTS[0]!)).toBe('de');
    expect(ours(POSTS[6]!)).toBe('en');
    expect(ours(POSTS[8]!)).toBe('fr');
    expect(ours(POSTS[18]!)).toBe('ru');
    expect(detectLanguage(POSTS[0]!)).toBe('de');
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
    const model = tinyldModel(['de', 'en', 'xx']);
    expect([...model.languages].sort()).toEqual(['de', 'en']);
    expect(createLanguageDetector(model)(POSTS[8]!)).toBe(detect(POSTS[8]!, { only: ['de', 'en'] }));
    expect([...model.uniques.values()].every((i) => i === 0 || i === 1)).toBe(true);
  });
});
