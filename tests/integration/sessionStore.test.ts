/** The console's session store against the real PostgreSQL: sliding expiry, written at most every TOUCH_EVERY_MS. */
import session from 'express-session';
import pg from 'pg';
import { createDb, createPool } from '../../server/db/client';
import { createSessionStore, createSessionStores, TOUCH_EVERY_MS } from '../../server/middleware/sessionStore';
import { AccessCopies } from '../../server/middleware/accessCopies';
import { deleteExpiredSessions } from '../../server/db/repositories/sessions.repo';
import { startTestApp } from '../support/testApp';
import { until } from '../support/until';

const pool = () => createPool(process.env.DATABASE_URL!);

const call = <T>(fn: (cb: (err?: unknown, value?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

const sessionData = (expires: Date) => ({ cookie: { originalMaxAge: 12 * 3600_000, expires } }) as unknown as session.SessionData;

describe('session store', () => {
  afterEach(() => jest.restoreAllMocks());

  it('when a session is touched again within the interval, then its stored end stays; after the interval it moves', async () => {
    const db = pool();
    const store = createSessionStore(session, db);
    const expireOf = async () => (await db.query<{ expire: Date }>('SELECT expire FROM user_sessions WHERE sid = $1', ['touch-test'])).rows[0]!.expire;
    const start = Date.now();
    await call((cb) => store.set('touch-test', sessionData(new Date(start + 3600_000)), cb));
    await call((cb) => store.touch!('touch-test', sessionData(new Date(start + 7200_000)), cb));
    const first = await expireOf();
    expect(first.getTime()).toBe(Math.ceil((start + 7200_000) / 1000) * 1000);

    jest.spyOn(Date, 'now').mockReturnValue(start + TOUCH_EVERY_MS - 1000);
    await call((cb) => store.touch!('touch-test', sessionData(new Date(start + 9000_000)), cb));
    expect(await expireOf()).toEqual(first);

    jest.spyOn(Date, 'now').mockReturnValue(start + TOUCH_EVERY_MS + 1000);
    await call((cb) => store.touch!('touch-test', sessionData(new Date(start + 10_800_000)), cb));
    expect((await expireOf()).getTime()).toBe(Math.ceil((start + 10_800_000) / 1000) * 1000);
    (store as unknown as { close(): void }).close?.();
    await db.end();
  });

  it('when the stores of a web process have read and written sessions, then neither keeps a timer to prune them', async () => {
    const db = pool();
    const stores = createSessionStores(session, db, { copies: new AccessCopies(() => true), changed: async () => undefined });
    for (const store of [stores.reads, stores.fresh]) {
      await call((cb) => store.set('timer-test', sessionData(new Date(Date.now() + 3600_000)), cb));
      await call((cb) => store.get('timer-test', cb));
      // connect-pg-simple arms its prune timer on a query; one left armed fires after the pool has closed
      expect((store as unknown as { pruneTimer?: NodeJS.Timeout }).pruneTimer).toBeUndefined();
    }
    await db.end();
  });

  it('when ended sessions are deleted, then only those go, whatever time zone the database session and the process are in', async () => {
    // connect-pg-simple writes `expire` in the database session's time zone; this pool's is 14 hours from UTC
    const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, options: '-c timezone=Pacific/Kiritimati' });
    await db.query('DELETE FROM user_sessions'); // the other tests' rows were written in another time zone
    const store = createSessionStore(session, db);
    const now = Date.now();
    await call((cb) => store.set('ended-a', sessionData(new Date(now - 60_000)), cb));
    await call((cb) => store.set('ended-b', sessionData(new Date(now - 13 * 3600_000)), cb));
    await call((cb) => store.set('running', sessionData(new Date(now + 60_000)), cb));

    expect(await deleteExpiredSessions(createDb(db))).toBe(2);
    const left = await db.query<{ sid: string }>(`SELECT sid FROM user_sessions WHERE sid IN ('ended-a', 'ended-b', 'running')`);
    expect(left.rows).toEqual([{ sid: 'running' }]);
    expect(await call((cb) => store.get('running', cb))).toBeTruthy();
    await db.end();
  });

  it('when the nightly retention job runs, then the ended sessions are gone after it and the running ones stay', async () => {
    const app = await startTestApp({ workers: true });
    try {
      const store = createSessionStore(session, app.services.pool);
      const now = Date.now();
      await call((cb) => store.set('job-ended', sessionData(new Date(now - 60_000)), cb));
      await call((cb) => store.set('job-running', sessionData(new Date(now + 3600_000)), cb));
      const left = async () =>
        (await app.services.pool.query<{ sid: string }>(`SELECT sid FROM user_sessions WHERE sid LIKE 'job-%' ORDER BY sid`)).rows.map((r) => r.sid);

      await app.services.queues.queue('privacy').add('retention', {});
      await until('the retention job to delete the ended session', async () => !(await left()).includes('job-ended'), 15_000);
      expect(await left()).toEqual(['job-running']);
      expect(app.logs.join('')).toContain('ended console sessions deleted');
    } finally {
      await app.stop();
    }
  });
});
