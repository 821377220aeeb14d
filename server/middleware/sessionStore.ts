/**
 * Console sessions in PostgreSQL (connect-pg-simple). Sessions slide: each request moves the end 12 h
 * ahead. Writing that to the database on every request was one UPDATE per page view (a fifth of the
 * inbox's throughput), so a process writes a session's new end at most once per TOUCH_EVERY_MS: a
 * session ends 12 h after its last request, give or take those minutes.
 */
import connectPgSimple from 'connect-pg-simple';
import type session from 'express-session';
import type pg from 'pg';

export const TOUCH_EVERY_MS = 5 * 60_000;
const REMEMBERED = 10_000;

export function createSessionStore(sessionModule: typeof session, pool: pg.Pool): session.Store {
  const PgStore = connectPgSimple(sessionModule);
  class ThrottledTouchStore extends PgStore {
    private readonly touchedAt = new Map<string, number>();

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
  return new ThrottledTouchStore({ pool, tableName: 'user_sessions', createTableIfMissing: false });
}
