/** The parts of @nlpjs/lang-de and @nlpjs/lang-en that postSignals.ts uses (the packages ship no types). */
type NlpjsStemmer = { tokenizeAndStem(text: string, keepStops?: boolean): string[] };
type NlpjsSentimentLexicon = { senticon: Record<string, number>; negations: { words: string[] }; stemmed: boolean };

declare module '@nlpjs/lang-de' {
  export const StemmerDe: new () => NlpjsStemmer;
  export const SentimentDe: NlpjsSentimentLexicon;
}
declare module '@nlpjs/lang-en' {
  export const StemmerEn: new () => NlpjsStemmer;
  export const SentimentEn: NlpjsSentimentLexicon;
}
