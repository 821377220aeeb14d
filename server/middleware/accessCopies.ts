/**
 * A web process's copies of who is signed in, for the console's page reads. Every console request asked
 * PostgreSQL twice before its page began — the session row (express-session's store) and the user — two of an
 * inbox page's five statements. A page read now takes both from copies at most COPY_MS old (which requests may:
 * `mayUseCopies` in auth.ts); a request that changes something reads both fresh, so nothing is done on the
 * strength of a copy.
 *
 * A copy goes as soon as any web process says that person's access changed — a sign-in, a sign-out,
 * deactivation, a new role, language or approval right — as an `access` live event over Redis (`effects.ts`); the
 * process that made the change drops its own copies before it answers. A read that began before a change (or
 * before the live subscription last broke) is not kept when it ends after it: every copy is stamped with the
 * moment its read began, and each change is remembered for COPY_MS. While the live subscription is down no copy
 * is used or kept, and all are dropped when it comes back. COPY_MS bounds what a lost message can cost: a page
 * view on a copy that old.
 */
import { performance } from 'node:perf_hooks';
import type { CurrentUser } from './auth';

export const COPY_MS = 5_000;
/** A process that has seen this many sessions, users or changes starts again from none (as the touch throttle does). */
const KEPT = 10_000;

type SessionCopy = { json: string; userId: string | undefined; at: number };
type UserCopy = { user: CurrentUser; at: number };
/** When a read began (a moment of the process's monotonic clock). */
export type ReadBegan = number;

export class AccessCopies {
  private readonly sessions = new Map<string, SessionCopy>();
  private readonly users = new Map<string, UserCopy>();
  private readonly changedAt = new Map<string, number>();
  private clearedAt = Number.NEGATIVE_INFINITY;

  /** listening: whether the `access` events currently reach this process (its Redis subscription is active). */
  constructor(
    private readonly listening: () => boolean,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Taken before a read whose result may be kept. */
  readBegins(): ReadBegan {
    return this.now();
  }

  /** The stored session (a new object each time: express-session changes what it is given), if a fresh copy is kept. */
  session(sid: string): Record<string, unknown> | undefined {
    const copy = this.fresh(this.sessions, sid);
    return copy && (JSON.parse(copy.json) as Record<string, unknown>);
  }

  /** Kept only when signed in with its CSRF token: a session still to get its token will be saved, and is read fresh. */
  keepSession(sid: string, session: { userId?: string; csrfToken?: string }, began: ReadBegan): void {
    if (!session.userId || !session.csrfToken || !this.mayKeep(session.userId, began)) return;
    if (this.sessions.size >= KEPT) this.sessions.clear();
    this.sessions.set(sid, { json: JSON.stringify(session), userId: session.userId, at: began });
  }

  /** Forgets one session; returns whose it was, when this process knew. */
  dropSession(sid: string): string | undefined {
    const userId = this.sessions.get(sid)?.userId;
    this.sessions.delete(sid);
    return userId;
  }

  user(id: string): CurrentUser | undefined {
    return this.fresh(this.users, id)?.user;
  }

  keepUser(user: CurrentUser, began: ReadBegan): void {
    if (!this.mayKeep(user.id, began)) return;
    if (this.users.size >= KEPT) this.users.clear();
    this.users.set(user.id, { user: Object.freeze(user), at: began });
  }

  /** A person's access changed: their user and every session of theirs are read again, and reads under way are not kept. */
  changed(userId: string): void {
    this.users.delete(userId);
    for (const [sid, copy] of this.sessions) if (copy.userId === userId) this.sessions.delete(sid);
    if (this.changedAt.size >= KEPT) this.clear();
    this.changedAt.set(userId, this.now());
  }

  /** Everything is read again, and no read under way is kept (live events may have been missed). */
  clear(): void {
    this.sessions.clear();
    this.users.clear();
    this.changedAt.clear();
    this.clearedAt = this.now();
  }

  private mayKeep(userId: string, began: ReadBegan): boolean {
    if (!this.listening() || began <= this.clearedAt) return false;
    const changed = this.changedAt.get(userId);
    if (changed === undefined) return true;
    if (this.now() - changed >= COPY_MS) this.changedAt.delete(userId); // reads that old have expired anyway
    return began > changed;
  }

  private fresh<T extends { at: number }>(map: Map<string, T>, key: string): T | undefined {
    const copy = map.get(key);
    if (!copy) return undefined;
    if (this.listening() && this.now() - copy.at < COPY_MS) return copy;
    map.delete(key);
    return undefined;
  }
}
