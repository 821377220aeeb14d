/**
 * Group commit for items that arrive one per request (an API post, a webhook delivery). Each item alone would
 * pay a whole transaction and its commit (fsync), then its jobs one by one. Here the items that arrive while
 * earlier groups are being committed wait (no timer: the busier it is, the larger the groups) and are then
 * committed together by `commit`, which returns one outcome per item (commitIsolating: a bad item fails alone).
 *
 * - A caller's promise settles only after the commit that holds its item: nothing is acknowledged that is not
 *   durable; an item that failed rejects with its own error, its neighbours resolve. It does not wait for what
 *   the commit hands to `after` (its jobs and live events on their way to Redis; the reconciler makes good what
 *   a lost dispatch missed). The group keeps its place among the `concurrent` until that is done too: released
 *   at the commit, groups started sooner and smaller (9 posts instead of 16 under the bench's load), which cost
 *   more CPU per item on a machine whose cores are the limit.
 * - Items are grouped with the items of the same key (the same actor, say); `concurrent` groups commit at once,
 *   so one fills its transaction while another commits.
 */
import type { Outcome } from './isolatedCommit';

export type GroupCommitOptions<T, R> = {
  maxSize: number;
  concurrent: number;
  keyOf?: (item: T) => string;
  /** Commits the items of one group; one outcome per item, in order. `after`: work that may end after the answers. */
  commit(items: T[], after: (work: Promise<void>) => void): Promise<Outcome<R>[]>;
};

type Waiting<T, R> = { item: T; key: string; resolve(r: R): void; reject(err: unknown): void };

/** Submits an item; resolves with its value after the commit that holds it. */
export function createGroupCommit<T, R>(opts: GroupCommitOptions<T, R>): (item: T) => Promise<R> {
  let waiting: Waiting<T, R>[] = [];
  let running = 0;
  let scheduled = false;

  // Items submitted in the same turn of the event loop join the same group.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(startGroups);
  };

  function startGroups() {
    scheduled = false;
    while (running < opts.concurrent && waiting.length > 0) {
      const key = waiting[0]!.key;
      const group: Waiting<T, R>[] = [];
      const rest: Waiting<T, R>[] = [];
      for (const w of waiting) (w.key === key && group.length < opts.maxSize ? group : rest).push(w);
      waiting = rest;
      running += 1;
      void commitGroup(group).finally(() => {
        running -= 1;
        schedule();
      });
    }
  }

  /** Commits the group and answers its callers; settles when the work handed to `after` is done too. */
  async function commitGroup(group: Waiting<T, R>[]) {
    const later: Promise<void>[] = [];
    let outcomes: Outcome<R>[];
    try {
      outcomes = await opts.commit(
        group.map((w) => w.item),
        (work) => later.push(work.catch(() => undefined)),
      );
    } catch (error) {
      outcomes = group.map(() => ({ ok: false, error }));
    }
    for (const [i, o] of outcomes.entries()) {
      if (o.ok) group[i]!.resolve(o.value);
      else group[i]!.reject(o.error);
    }
    await Promise.allSettled(later);
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, key: opts.keyOf?.(item) ?? '', resolve, reject });
      schedule();
    });
}
