/** The console's session store against the real PostgreSQL: sliding expiry, written at most every TOUCH_EVERY_MS. */
import session from 'express-session';
import { createPool } from '../../server/db/client';
import { createSessionStore, TOUCH_EVERY_MS } from '../../server/middleware/sessionStore';

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
});
