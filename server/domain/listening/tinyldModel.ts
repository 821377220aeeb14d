/**
 * tinyld's "normal" n-gram model (tinyld 1.3.4, MIT), restricted to the languages asked for, for
 * languageDetector.ts. The package exports only its detection functions; its dictionary, its list of languages
 * and its language-code table are variables of its bundle (`X`, `C`, `N`). So the bundle's code is run here once
 * inside a function that returns them besides, and the dictionary is decoded as tinyld decodes it: a unique
 * n-gram names its language's number in base 36; a shared one lists blocks of four characters, two for the
 * language's number and two for the weight.
 *
 * languageDetector.ts copies tinyld 1.3.4's rule, so any other version stops the process at start (the package
 * is pinned): to upgrade, compare the new bundle's rule, update the detector, and let
 * tests/unit/listening/languageDetector.test.ts hold both side by side. So does a model that lacks an asked
 * language or decodes into anything but whole blocks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import type { LanguageModel } from './languageDetector';

type TinyldInternals = {
  dictionary: { id: string; uniques: Record<string, string | number>; multiples: Record<string, string> };
  /** language number → ISO 639-3 code */
  languageOf: Record<string, string>;
  /** ISO 639-3 → ISO 639-1 */
  toIso2: (code: string) => string;
};

const BASE = 36;
const COPIED_VERSION = '1.3.4';

function tinyldInternals(): TinyldInternals {
  const file = require.resolve('tinyld');
  const version = (JSON.parse(readFileSync(path.join(file, '../../package.json'), 'utf8')) as { version: string }).version;
  if (version !== COPIED_VERSION) {
    throw new Error(`tinyld ${version}: languageDetector.ts copies the rule of tinyld ${COPIED_VERSION}; compare them before upgrading (tinyldModel.ts)`);
  }
  const run = vm.runInThisContext(`(function (module, exports) {${readFileSync(file, 'utf8')}\n;return { dictionary: X, languageOf: C, toIso2: N };})`, {
    filename: file,
  }) as (module: { exports: unknown }, exports: unknown) => TinyldInternals;
  const module = { exports: {} };
  const internals = run(module, module.exports);
  if (internals.dictionary?.id !== 'tinyld-dict' || typeof internals.toIso2 !== 'function' || typeof internals.languageOf !== 'object') {
    throw new Error(`tinyld ${version}: its bundle does not hold the dictionary where tinyld ${COPIED_VERSION} does (tinyldModel.ts)`);
  }
  return internals;
}

/** tinyld's model for these ISO 639-1 languages (each one tinyld knows), in tinyld's order of languages. */
export function tinyldModel(only: readonly string[]): LanguageModel {
  const { dictionary, languageOf, toIso2 } = tinyldInternals();
  const asked = new Set(only);
  const languages: string[] = [];
  const indexOf = new Map<string, number>(); // tinyld's language number → index in `languages`
  for (const [number, code] of Object.entries(languageOf)) {
    const iso2 = toIso2(code);
    if (!asked.has(iso2)) continue;
    indexOf.set(number, languages.length);
    languages.push(iso2);
  }
  const languageAt = (digits: string) => indexOf.get(String(Number.parseInt(digits, BASE)));

  const uniques = new Map<string, number>();
  for (const [gram, value] of Object.entries(dictionary.uniques)) {
    const language = languageAt(value.toString());
    if (language !== undefined) uniques.set(gram, language);
  }
  const multiples = new Map<string, number[]>();
  for (const [gram, blocks] of Object.entries(dictionary.multiples)) {
    const weights = new Map<number, number>(); // a language listed twice: its last weight, as tinyld reads it
    if (blocks.length % 4 !== 0) throw new Error(`tinyld: the n-gram ${JSON.stringify(gram)} is not listed in blocks of four`);
    for (const block of blocks.match(/.{4}/g) ?? []) {
      const language = languageAt(block.slice(0, 2));
      if (language !== undefined) weights.set(language, Number.parseInt(block.slice(2), BASE));
    }
    if (weights.size > 0) multiples.set(gram, [...weights].flat());
  }
  const unknown = only.filter((code) => !languages.includes(code));
  if (unknown.length > 0 || uniques.size === 0 || multiples.size === 0) {
    throw new Error(`tinyld's model has no n-grams for ${unknown.length > 0 ? unknown.join(', ') : 'any language'}`);
  }
  return { languages, uniques, multiples };
}
