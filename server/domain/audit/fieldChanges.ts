/** The before/after view of a settings change: every field of either side, the changed ones marked. */
export type FieldChange = { field: string; before: string; after: string; changed: boolean };

const text = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const b = asRecord(before);
  const a = asRecord(after);
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields.map((field) => {
    const was = text(b[field]);
    const now = text(a[field]);
    return { field, before: was, after: now, changed: was !== now };
  });
}
