/**
 * A web process's copies of who is signed in, for the console's page reads. Every console request asked
 * PostgreSQL twice before its page began — the session row (express-session's store) and the user — two of an
 * inbox page's five statements. A GET or HEAD now takes both from copies at most COPY_MS old; a request that
 * changes something (POST, PATCH, DELETE …) reads both fresh, so nothing is done on the strength of a copy.
 *
 * A copy goes as soon as any web process says that person's access changed — a sign-in, a sign-out, a session
 * saved with a new CSRF token, deactivation, a new role, language or approval right — as an `access` live event
 * over Redis (`effects.ts`); the process that made the change drops its own copies before it answers. While the
 * live subscription is down no copy is used or kept, and all are dropped when it comes back (messages may have
 * been missed meanwhile). COPY_MS bounds what a lost message can cost: a page view on a copy that old.
 */
import type { CurrentUser } from './auth';

export const COPY_MS = 5_000;
/** A process that has seen this many sessions or users starts again from none (as the touch throttle does). */
const KEPT = 10_000;

type SessionCopy = { json: string; userId: string | undefined; at: number };
type UserCopy = { user: CurrentUser; at: number };

export class AccessCopies {
  private readonly sessions = new Map<string, SessionCopy>();
  private readonly users = new Map<string, UserCopy>();

  /** listening: whether the `access` events currently reach this process (Redis subscription ready). */
  constructor(
    private readonly listening: () => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stored session (a new object each time: express-session changes what it is given), if a fresh copy is kept. */
  session(sid: string): Record<string, unknown> | undefined {
    const copy = this.fresh(this.sessions, sid);
    return copy && (JSON.parse(copy.json) as Record<string, unknown>);
  }

  keepSession(sid: string, session: { userId?: string }): void {
    if (!this.listening()) return;
    if (this.sessions.size >= KEPT) this.sessions.clear();
    this.sessions.set(sid, { json: JSON.stringify(session), userId: session.userId, at: this.now() });
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

  keepUser(user: CurrentUser): void {
    if (!this.listening()) return;
    if (this.users.size >= KEPT) this.users.clear();
    this.users.set(user.id, { user: Object.freeze(user), at: this.now() });
  }

  /** A person's access changed: their user and every session of theirs are read again. */
  changed(userId: string): void {
    this.users.delete(userId);
    for (const [sid, copy] of this.sessions) if (copy.userId === userId) this.sessions.delete(sid);
  }

  clear(): void {
    this.sessions.clear();
    this.users.clear();
  }

  private fresh<T extends { at: number }>(map: Map<string, T>, key: string): T | undefined {
    const copy = map.get(key);
    if (!copy) return undefined;
    if (this.listening() && this.now() - copy.at < COPY_MS) return copy;
    map.delete(key);
    return undefined;
  }
}
