/**
 * Commits many independent items (posts, webhook deliveries) in as few transactions as possible without
 * letting one bad item fail the others. All items go into one transaction; when PostgreSQL refuses it for
 * a reason one item's data can cause (SQLSTATE class 22 data exception, class 23 integrity violation),
 * the items are split in halves and each half is tried again, down to the single item, which alone gets
 * the refusal. A deadlock or serialization failure retries the same items. Any other error (PostgreSQL
 * down, connection lost) fails every item of the attempt: none of them was acknowledged, so a retry by
 * the sender is safe (ingest is idempotent by external id).
 */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

const RETRIES_ON_CONFLICT = 3;

const sqlState = (err: unknown) => String((err as { code?: unknown } | null)?.code ?? '');

/** PostgreSQL refused the data itself: retrying the same item can never help. */
export function isRefusedData(err: unknown): boolean {
  const code = sqlState(err);
  return code.startsWith('22') || code.startsWith('23');
}

const isConflict = (err: unknown) => ['40001', '40P01'].includes(sqlState(err));

/** `commit` stores its items in one transaction and returns one value per item, in order. */
export async function commitIsolating<T, R>(items: T[], commit: (items: T[]) => Promise<R[]>): Promise<Outcome<R>[]> {
  if (items.length === 0) return [];
  for (let attempt = 0; ; attempt++) {
    try {
      return (await commit(items)).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (isConflict(error) && attempt < RETRIES_ON_CONFLICT) continue;
      if (!isRefusedData(error) || items.length === 1) return items.map(() => ({ ok: false, error }));
      const half = Math.ceil(items.length / 2);
      // in order, one half after the other: a later item may thread onto an earlier one
      const first = await commitIsolating(items.slice(0, half), commit);
      return [...first, ...(await commitIsolating(items.slice(half), commit))];
    }
  }
}
