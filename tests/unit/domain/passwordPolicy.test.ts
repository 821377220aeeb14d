/** The new-password rule: long enough, and not a common password in any of its usual disguises. */
import { DEMO_LOGINS } from '../../../server/demo/demoLogins';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../../../server/domain/users/passwordPolicy';
import { TEST_PASSWORD } from '../../factories/factories';

describe('passwordProblem', () => {
  it('when a password has fewer than 12 characters (counted as characters, not bytes), then it is too short', () => {
    expect(passwordProblem('Xk9#vT2q!zL')).toBe('tooShort');
    expect(passwordProblem('äöüßäöüßäöü')).toBe('tooShort'); // 11 characters, 22 bytes
    expect(MIN_PASSWORD_LENGTH).toBe(12);
  });

  it.each([
    ['on the list, any case', 'PASSWORD1234'],
    ['a listed word with digits after it', 'Sunshine2026!'],
    ['a listed word with digits before it', '2026!princess'],
    ['a German one', 'Passwort123456'],
    ['a digit run', '123456789012'],
    ['a keyboard run', 'qwertzuiopas'],
    ['a backwards run', '0987654321098'],
    ['a repeated listed word', 'iloveyouiloveyou'],
    ['a repeated short chunk', 'abcabcabcabc'],
    ['one character', 'aaaaaaaaaaaaaa'],
  ])('when a password is %s (%s), then it is common', (_, password) => {
    expect(passwordProblem(password)).toBe('common');
  });

  it('when a password is long and not common, then there is no problem: the demo logins and the test password pass', () => {
    for (const { password } of DEMO_LOGINS) expect(passwordProblem(password)).toBeNull();
    expect(passwordProblem(TEST_PASSWORD)).toBeNull();
    expect(passwordProblem('correct horse battery')).toBeNull();
    expect(passwordProblem('849201736455')).toBeNull();
  });
});
