/**
 * Console sessions in PostgreSQL (connect-pg-simple). Sessions slide: each request moves the end 12 h
 * ahead. Writing that to the database on every request was one UPDATE per page view (a fifth of the
 * inbox's throughput), so a process writes a session's new end at most once per TOUCH_EVERY_MS: a
 * session ends 12 h after its last request, give or take those minutes.
 *
 * With `access`, the store keeps the process's copies (middleware/accessCopies.ts) up to date: what it reads is
 * kept, what it no longer finds is dropped, and a save or destroy drops the person's copies and says so to the
 * other processes before its callback. `readsCopies` answers reads from a fresh copy.
 */
import connectPgSimple from 'connect-pg-simple';
import type session from 'express-session';
import type pg from 'pg';
import type { AccessCopies } from './accessCopies';

/** The console's session cookie. */
export const SESSION_COOKIE = 'rl_session';
export const TOUCH_EVERY_MS = 5 * 60_000;
const REMEMBERED = 10_000;

export type StoreAccess = { copies: AccessCopies; changed(userId: string): Promise<void> };
type Done = (err?: unknown) => void;

/** One store for page reads (from copies) and one for every other request (fresh), sharing the touch throttle. */
export function createSessionStores(sessionModule: typeof session, pool: pg.Pool, access: StoreAccess) {
  const touchedAt = new Map<string, number>();
  return {
    reads: createSessionStore(sessionModule, pool, { access, readsCopies: true, touchedAt }),
    fresh: createSessionStore(sessionModule, pool, { access, readsCopies: false, touchedAt }),
  };
}

export function createSessionStore(
  sessionModule: typeof session,
  pool: pg.Pool,
  opts: { access?: StoreAccess; readsCopies?: boolean; touchedAt?: Map<string, number> } = {},
): session.Store {
  const { access, readsCopies = false, touchedAt = new Map<string, number>() } = opts;
  const PgStore = connectPgSimple(sessionModule);
  /** The change is told before the request answers; a failure to tell is the caller's to log, never the request's. */
  const told = (userId: string | undefined, callback?: Done) => {
    if (!userId || !access) return callback?.();
    void access
      .changed(userId)
      .catch(() => undefined)
      .then(() => callback?.());
  };
  class ThrottledTouchStore extends PgStore {
    override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
      const copy = readsCopies ? access?.copies.session(sid) : undefined;
      if (copy) {
        callback(null, copy as unknown as session.SessionData);
        return;
      }
      const began = access?.copies.readBegins();
      super.get(sid, (err, found) => {
        if (!err && access && began !== undefined) {
          if (found) access.copies.keepSession(sid, found, began);
          else access.copies.dropSession(sid);
        }
        callback(err, found);
      });
    }

    override set(sid: string, sess: session.SessionData, callback?: Done): void {
      super.set(sid, sess, (err?: unknown) => (err ? callback?.(err) : told(sess.userId, callback)));
    }

    /** Whose session it was comes from the deleted row itself, so the change is told whether or not a copy was kept. */
    override destroy(sid: string, callback?: Done): void {
      if (!access) {
        super.destroy(sid, callback);
        return;
      }
      access.copies.dropSession(sid);
      pool.query<{ userId: string | null }>(`DELETE FROM user_sessions WHERE sid = $1 RETURNING sess ->> 'userId' AS "userId"`, [sid]).then(
        (result) => told(result.rows[0]?.userId ?? undefined, callback),
        (err: unknown) => callback?.(err),
      );
    }

    override touch(sid: string, sess: session.SessionData, callback?: () => void): void {
      const now = Date.now();
      const last = touchedAt.get(sid);
      if (last !== undefined && now - last < TOUCH_EVERY_MS) {
        callback?.();
        return;
      }
      if (touchedAt.size >= REMEMBERED) touchedAt.clear();
      touchedAt.set(sid, now);
      super.touch(sid, sess, callback);
    }
  }
  // Ended sessions are deleted by the worker's nightly retention job (jobs/retention.ts), not by a timer in each web process.
  return new ThrottledTouchStore({ pool, tableName: 'user_sessions', createTableIfMissing: false, pruneSessionInterval: false });
}
