/**
 * A listening query as its form shows it while the manager types: understood (in canonical form), or the
 * parser's reason in the user's language with the text split around the spot it names, so the view can
 * mark that spot.
 */
import { parseQuery, printQuery, QuerySyntaxError } from '../domain/listening/queryLanguage';
import type { MessageKey } from '../i18n/messages';
import type { Translate } from '../i18n/translate';

export type QueryCheckView =
  | { state: 'blank' }
  | { state: 'ok'; canonical: string }
  | { state: 'error'; message: string; position: number; before: string; at: string; after: string };

export function queryCheckView(text: string, t: Translate): QueryCheckView {
  if (text.trim() === '') return { state: 'blank' };
  try {
    return { state: 'ok', canonical: printQuery(parseQuery(text)) };
  } catch (e) {
    if (!(e instanceof QuerySyntaxError)) throw e;
    const at = Math.min(e.position, text.length);
    // The spot is one character (or, at the end of the text, an empty mark the view makes visible).
    const spot = [...text.slice(at)][0] ?? '';
    return {
      state: 'error',
      message: t(('listening.error.' + e.reason) as MessageKey, { position: e.position + 1 }),
      position: e.position,
      before: text.slice(0, at),
      at: spot,
      after: text.slice(at + spot.length),
    };
  }
}
