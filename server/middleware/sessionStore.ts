/**
 * Console sessions in PostgreSQL (connect-pg-simple). Sessions slide: each request moves the end 12 h
 * ahead. Writing that to the database on every request was one UPDATE per page view (a fifth of the
 * inbox's throughput), so a process writes a session's new end at most once per TOUCH_EVERY_MS: a
 * session ends 12 h after its last request, give or take those minutes.
 *
 * With `access`, the store keeps the process's copies (middleware/accessCopies.ts) up to date: what it reads
 * and saves is kept, what it destroys or no longer finds is dropped, and a save or destroy says, before its callback, that the
 * person's access changed (so other processes drop their copies). `readsCopies` answers reads from a fresh copy.
 */
import connectPgSimple from 'connect-pg-simple';
import type session from 'express-session';
import type pg from 'pg';
import type { AccessCopies } from './accessCopies';

/** The console's session cookie. */
export const SESSION_COOKIE = 'rl_session';
export const TOUCH_EVERY_MS = 5 * 60_000;
const REMEMBERED = 10_000;

export type StoreAccess = { copies: AccessCopies; readsCopies: boolean; changed(userId: string): Promise<void> };
type Done = (err?: unknown) => void;

export function createSessionStore(sessionModule: typeof session, pool: pg.Pool, access?: StoreAccess): session.Store {
  const PgStore = connectPgSimple(sessionModule);
  class ThrottledTouchStore extends PgStore {
    private readonly touchedAt = new Map<string, number>();

    override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
      const copy = access?.readsCopies ? access.copies.session(sid) : undefined;
      if (copy) {
        callback(null, copy as unknown as session.SessionData);
        return;
      }
      super.get(sid, (err, found) => {
        if (!err && access) {
          if (found) access.copies.keepSession(sid, found);
          else access.copies.dropSession(sid);
        }
        callback(err, found);
      });
    }

    override set(sid: string, sess: session.SessionData, callback?: Done): void {
      super.set(sid, sess, (err?: unknown) => {
        if (err || !access) return callback?.(err);
        told(sess.userId, () => {
          access.copies.keepSession(sid, sess);
          callback?.();
        });
      });
    }

    override destroy(sid: string, callback?: Done): void {
      const userId = access?.copies.dropSession(sid);
      super.destroy(sid, (err?: unknown) => (err ? callback?.(err) : told(userId, callback)));
    }

    override touch(sid: string, sess: session.SessionData, callback?: () => void): void {
      const now = Date.now();
      const last = this.touchedAt.get(sid);
      if (last !== undefined && now - last < TOUCH_EVERY_MS) {
        callback?.();
        return;
      }
      if (this.touchedAt.size >= REMEMBERED) this.touchedAt.clear();
      this.touchedAt.set(sid, now);
      super.touch(sid, sess, callback);
    }
  }
  /** The change is told before the request answers; a failure to tell is the caller's to log, never the request's. */
  const told = (userId: string | undefined, callback?: Done) => {
    if (!userId || !access) return callback?.();
    void access
      .changed(userId)
      .catch(() => undefined)
      .then(() => callback?.());
  };
  // One store prunes expired sessions; a second one (the copies' reader beside the fresh one) leaves it to the first.
  return new ThrottledTouchStore({
    pool,
    tableName: 'user_sessions',
    createTableIfMissing: false,
    pruneSessionInterval: access?.readsCopies ? false : undefined,
  });
}
