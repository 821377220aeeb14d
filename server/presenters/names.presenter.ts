/**
 * Names in views (contacts, handles, users) with their bidirectional control characters neutralised.
 * An embedding, override or isolate (U+202A–U+202E, U+2066–U+2069) in a name reorders the text that
 * follows it on the page: `Erika \u202Egnp.exe` shows as `Erika exe.png`, an unclosed one garbles the
 * rest of the row. Each is shown as U+FFFD instead, so the name reads in its stored order and the odd
 * character stays visible. Done when rendering, not when storing: rows written before are safe too, and
 * the stored name stays what the customer sent. (Bidi marks U+200E/U+200F/U+061C reorder nothing
 * around them and are kept: right-to-left names use them.)
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export function safeName(name: string | null | undefined): string {
  return name ? name.replace(BIDI_CONTROLS, '\uFFFD') : '';
}

export const nameViewHelpers = { safeName };
