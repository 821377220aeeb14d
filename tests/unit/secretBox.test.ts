/** Channel credentials at rest: AES-256-GCM round trip, and refusal of a wrong key or altered bytes. */
import { createSecretBox } from '../../server/crypto/secretBox';

const box = createSecretBox('unit-test-encryption-key-0123456789');
const SECRET = 'whsec_Äpfel-🙂-' + 'x'.repeat(200);

/** Flips one bit of the base64 part at `index` (1 = iv, 2 = tag, 3 = data). */
function flip(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[index] = bytes.toString('base64');
  return parts.join('.');
}

describe('secretBox', () => {
  it('when a secret is sealed and opened, then the same text comes back and the sealed form does not contain it', () => {
    const sealed = box.seal(SECRET);
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(sealed).not.toContain('whsec');
    expect(box.open(sealed)).toBe(SECRET);
    expect(box.open(box.seal(''))).toBe('');
  });

  it('when the same secret is sealed twice, then the two sealed forms differ (fresh IV)', () => {
    expect(box.seal(SECRET)).not.toBe(box.seal(SECRET));
  });

  it('when opened with another key, then it fails', () => {
    const other = createSecretBox('another-encryption-key-987654321');
    expect(() => other.open(box.seal(SECRET))).toThrow();
  });

  it.each([
    [1, 'iv'],
    [2, 'auth tag'],
    [3, 'ciphertext'],
  ])('when one bit of the %s-th part (%s) is altered, then opening fails', (index) => {
    expect(() => box.open(flip(box.seal(SECRET), index))).toThrow();
  });

  it('when the sealed text is malformed or of an unknown version, then opening fails with a clear error', () => {
    expect(() => box.open('garbage')).toThrow('Unreadable sealed secret');
    expect(() => box.open(box.seal(SECRET).replace(/^v1/, 'v9'))).toThrow('Unreadable sealed secret');
  });
});
