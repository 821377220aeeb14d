/**
 * tinyld's "normal" n-gram model (tinyld 1.3.4, MIT), restricted to the languages asked for, for
 * languageDetector.ts. The package exports only its detection functions; its dictionary, its list of languages
 * and its language-code table are variables of its bundle (`X`, `C`, `N`). So the bundle is run here once in
 * a function that returns them besides, exactly as Node would run it otherwise, and the dictionary is decoded
 * as tinyld decodes it: a unique n-gram names its language's number in base 36; a shared one lists blocks of
 * four characters, two for the language's number and two for the weight. A tinyld whose bundle lacks them
 * stops the process at start, naming the version it found (the package is pinned).
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

function tinyldInternals(): TinyldInternals {
  const file = require.resolve('tinyld');
  const version = (JSON.parse(readFileSync(path.join(file, '../../package.json'), 'utf8')) as { version: string }).version;
  const run = vm.runInThisContext(`(function (module, exports) {${readFileSync(file, 'utf8')}\n;return { dictionary: X, languageOf: C, toIso2: N };})`, {
    filename: file,
  }) as (module: { exports: unknown }, exports: unknown) => TinyldInternals;
  let internals: TinyldInternals | undefined;
  try {
    const module = { exports: {} };
    internals = run(module, module.exports);
  } catch {
    // a bundle whose variables are named otherwise
  }
  if (internals?.dictionary?.id !== 'tinyld-dict' || typeof internals.toIso2 !== 'function' || !internals.languageOf) {
    throw new Error(`tinyld ${version}: its bundle no longer holds the dictionary where tinyld 1.3.4 does (server/domain/listening/tinyldModel.ts)`);
  }
  return internals;
}

/** tinyld's model for these ISO 639-1 languages, in tinyld's order of languages. */
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
    for (const block of blocks.match(/.{1,4}/g) ?? []) {
      const language = languageAt(block.slice(0, 2));
      if (language !== undefined) weights.set(language, Number.parseInt(block.slice(2), BASE));
    }
    if (weights.size > 0) multiples.set(gram, [...weights].flat());
  }
  return { languages, uniques, multiples };
}
