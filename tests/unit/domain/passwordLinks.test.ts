/** What a stored invitation or reset link is worth at a moment: used and revoked win over time, then expiry. */
import { LINK_LIFETIME_HOURS, linkState } from '../../../server/domain/users/passwordLinks';

const at = (iso: string) => new Date(iso);
const open = { usedAt: null, revokedAt: null, expiresAt: at('2026-12-10T12:00:00Z') };

describe('password link state', () => {
  it('when the link is unused and not revoked, then it is open until the second it expires', () => {
    expect(linkState(open, at('2026-12-10T11:59:59Z'))).toBe('open');
    expect(linkState(open, at('2026-12-10T12:00:00Z'))).toBe('expired');
  });

  it('when the link was used or replaced, then that is what it says, also after it expired', () => {
    const later = at('2027-01-01T00:00:00Z');
    expect(linkState({ ...open, usedAt: at('2026-12-04T09:00:00Z') }, later)).toBe('used');
    expect(linkState({ ...open, revokedAt: at('2026-12-04T09:00:00Z') }, at('2026-12-05T00:00:00Z'))).toBe('revoked');
  });

  it('when links are issued, then an invitation lasts a week and a reset a day', () => {
    expect(LINK_LIFETIME_HOURS).toEqual({ invitation: 168, reset: 24 });
  });
});
