/** The web process's copies of who is signed in (server/middleware/accessCopies.ts): fresh, dropped, never kept or used blind. */
import { AccessCopies, COPY_MS } from '../../server/middleware/accessCopies';

const user = (id: string) => ({ id, email: `${id}@example.test`, name: id, role: 'agent' as const, locale: 'de' as const, mayApproveReplies: false });
const session = (userId: string) => ({ userId, csrfToken: `token-of-${userId}` });

function copies(listening = true) {
  const clock = { now: 1_000_000, listening };
  const c = new AccessCopies(
    () => clock.listening,
    () => clock.now,
  );
  /** A read that begins and ends now. */
  const keep = (sid: string, userId: string) => {
    c.keepSession(sid, session(userId), c.readBegins());
    c.keepUser(user(userId), c.readBegins());
  };
  return { clock, copies: c, keep };
}

describe('access copies', () => {
  it('when a copy is younger than COPY_MS, then it is used; at COPY_MS it is read again', () => {
    const { clock, copies: c, keep } = copies();
    keep('s1', 'u1');
    clock.now += COPY_MS - 1;
    expect(c.session('s1')).toEqual(session('u1'));
    expect(c.user('u1')?.id).toBe('u1');
    clock.now += 1;
    expect(c.session('s1')).toBeUndefined();
    expect(c.user('u1')).toBeUndefined();
  });

  it('when a session is handed out, then each time as a new object (express-session changes what it gets), and the user copy cannot be changed', () => {
    const { copies: c, keep } = copies();
    keep('s1', 'u1');
    const first = c.session('s1')!;
    first.userId = 'someone else';
    expect(c.session('s1')).toEqual(session('u1'));
    expect(() => Object.assign(c.user('u1')!, { role: 'admin' })).toThrow();
  });

  it('when a session has no CSRF token yet or nobody signed in, then it is not kept (it is about to be saved)', () => {
    const { copies: c } = copies();
    c.keepSession('s1', { userId: 'u1' }, c.readBegins());
    c.keepSession('s2', { csrfToken: 'x' }, c.readBegins());
    expect([c.session('s1'), c.session('s2')]).toEqual([undefined, undefined]);
  });

  it("when a person's access changed, then their user and all their sessions go, and nobody else's", () => {
    const { copies: c, keep } = copies();
    keep('s1', 'u1');
    keep('s2', 'u1');
    keep('s3', 'u2');
    c.changed('u1');
    expect([c.session('s1'), c.session('s2'), c.user('u1')]).toEqual([undefined, undefined, undefined]);
    expect(c.session('s3')).toEqual(session('u2'));
    expect(c.user('u2')?.id).toBe('u2');
  });

  it('when a read began before a change and ends after it, then what it read is not kept; a read begun after the change is', () => {
    const { clock, copies: c } = copies();
    const early = c.readBegins();
    clock.now += 1;
    c.changed('u1');
    clock.now += 1;
    c.keepSession('s1', session('u1'), early);
    c.keepUser(user('u1'), early);
    expect([c.session('s1'), c.user('u1')]).toEqual([undefined, undefined]);
    const later = c.readBegins();
    c.keepUser(user('u1'), later);
    expect(c.user('u1')?.id).toBe('u1');
  });

  it('when the copies are cleared (the live subscription broke), then no read begun before is kept', () => {
    const { clock, copies: c } = copies();
    const early = c.readBegins();
    clock.now += 1;
    c.clear();
    c.keepUser(user('u1'), early);
    expect(c.user('u1')).toBeUndefined();
  });

  it("when a copy is kept, then its age counts from its read's beginning", () => {
    const { clock, copies: c } = copies();
    const began = c.readBegins();
    clock.now += COPY_MS - 1; // a slow read
    c.keepUser(user('u1'), began);
    clock.now += 1;
    expect(c.user('u1')).toBeUndefined();
  });

  it('when a session is dropped, then it says whose it was', () => {
    const { copies: c, keep } = copies();
    keep('s1', 'u1');
    expect(c.dropSession('s1')).toBe('u1');
    expect(c.dropSession('s1')).toBeUndefined();
  });

  it('when the live events do not reach the process, then no copy is kept or used', () => {
    const { clock, copies: c, keep } = copies(false);
    keep('s1', 'u1');
    clock.listening = true;
    expect(c.session('s1')).toBeUndefined();
    expect(c.user('u1')).toBeUndefined();
    keep('s1', 'u1');
    clock.listening = false;
    expect(c.user('u1')).toBeUndefined();
    expect(c.session('s1')).toBeUndefined();
  });
});
