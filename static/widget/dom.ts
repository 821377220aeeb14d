/** Building DOM without HTML strings: visitor and agent text only ever lands in textContent. */
type Attrs = Record<string, string | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === true) el.setAttribute(name, '');
    else if (typeof value === 'string') el.setAttribute(name, value);
  }
  el.append(...children);
  return el;
}

/** A labelled field: <label> + input or textarea, with the input returned for reading. */
export function field(id: string, label: string, input: HTMLInputElement | HTMLTextAreaElement): [HTMLElement, typeof input] {
  input.id = id;
  return [h('div', { class: 'field' }, h('label', { for: id }, label), input), input];
}

/** A form field's check: the input, where its message goes, and the text key of its problem (null: fine). */
export type FieldCheck<K> = { input: HTMLInputElement | HTMLTextAreaElement; error: HTMLElement; problem(): K | null };

/** Shows every check's message (or clears it) and marks the fields; the first field with a problem, if any, gets focus. */
export function reportProblems<K>(checks: readonly FieldCheck<K>[], text: (key: K) => string): boolean {
  let first: HTMLElement | null = null;
  for (const check of checks) {
    const problem = check.problem();
    check.error.textContent = problem ? text(problem) : '';
    check.input.setAttribute('aria-invalid', String(Boolean(problem)));
    if (problem && !first) first = check.input;
  }
  first?.focus();
  return first !== null;
}
