/**
 * Which web pages may use a chat site's widget: a browser names the page's origin in the Origin header, and the
 * site lists the exact origins allowed ('https://shop.example'). Compared as URL origins (scheme, host, port;
 * the host lower-cased, a default port dropped), so 'https://Shop.Example:443' is 'https://shop.example'.
 */

/** The origin as a URL origin, or null when it is none (the literal 'null' of sandboxed pages, file:, garbage). */
export function normalOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** Is a request from `origin` allowed by the site's list? A site with an empty list is embedded nowhere. */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  const wanted = normalOrigin(origin);
  return wanted !== null && allowed.some((a) => normalOrigin(a) === wanted);
}
