/** The web process's copies of who is signed in (server/middleware/accessCopies.ts): fresh, dropped, never used blind. */
import { AccessCopies, COPY_MS } from '../../server/middleware/accessCopies';

const user = (id: string) => ({ id, email: `${id}@example.test`, name: id, role: 'agent' as const, locale: 'de' as const, mayApproveReplies: false });

function copies(listening = true) {
  const clock = { now: 1_000_000, listening };
  return {
    clock,
    copies: new AccessCopies(
      () => clock.listening,
      () => clock.now,
    ),
  };
}

describe('access copies', () => {
  it('when a copy is younger than COPY_MS, then it is used; at COPY_MS it is read again', () => {
    const { clock, copies: c } = copies();
    c.keepSession('s1', { userId: 'u1' });
    c.keepUser(user('u1'));
    clock.now += COPY_MS - 1;
    expect(c.session('s1')).toEqual({ userId: 'u1' });
    expect(c.user('u1')?.id).toBe('u1');
    clock.now += 1;
    expect(c.session('s1')).toBeUndefined();
    expect(c.user('u1')).toBeUndefined();
  });

  it('when a session is handed out, then each time as a new object (express-session changes what it gets), and the user copy cannot be changed', () => {
    const { copies: c } = copies();
    c.keepSession('s1', { userId: 'u1' });
    const first = c.session('s1')!;
    first.userId = 'someone else';
    expect(c.session('s1')).toEqual({ userId: 'u1' });
    c.keepUser(user('u1'));
    expect(() => Object.assign(c.user('u1')!, { role: 'admin' })).toThrow();
  });

  it("when a person's access changed, then their user and all their sessions go, and nobody else's", () => {
    const { copies: c } = copies();
    c.keepSession('s1', { userId: 'u1' });
    c.keepSession('s2', { userId: 'u1' });
    c.keepSession('s3', { userId: 'u2' });
    c.keepUser(user('u1'));
    c.keepUser(user('u2'));
    c.changed('u1');
    expect([c.session('s1'), c.session('s2'), c.user('u1')]).toEqual([undefined, undefined, undefined]);
    expect(c.session('s3')).toEqual({ userId: 'u2' });
    expect(c.user('u2')?.id).toBe('u2');
  });

  it('when a session is dropped, then it says whose it was', () => {
    const { copies: c } = copies();
    c.keepSession('s1', { userId: 'u1' });
    expect(c.dropSession('s1')).toBe('u1');
    expect(c.dropSession('s1')).toBeUndefined();
  });

  it('when the live events do not reach the process, then no copy is kept or used', () => {
    const { clock, copies: c } = copies(false);
    c.keepSession('s1', { userId: 'u1' });
    c.keepUser(user('u1'));
    clock.listening = true;
    expect(c.session('s1')).toBeUndefined();
    expect(c.user('u1')).toBeUndefined();
    c.keepUser(user('u1'));
    clock.listening = false;
    expect(c.user('u1')).toBeUndefined();
  });
});
