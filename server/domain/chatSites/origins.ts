/**
 * Which websites may embed a chat site's widget: exact origins, as a browser sends them in its `Origin` header
 * (scheme, host, port; no path, query, fragment, user or wildcard). Public sites use https; plain http only on
 * the own machine (localhost, 127.0.0.1, [::1]) for trying the widget out. IDN hosts become punycode and default
 * ports drop, so the stored origin compares equal to the header.
 */

export const MAX_ORIGINS = 20;
const MAX_ORIGIN_LENGTH = 300;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The origin in its normal form, or null when it is not an origin a chat site may allow. */
export function normaliseOrigin(raw: string): string | null {
  const text = raw.trim();
  if (!text || text.length > MAX_ORIGIN_LENGTH || /[*?#\s]/.test(text)) return null;
  // scheme://host[:port] with at most one trailing slash: anything after the host is a path
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]+\/?$/i.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (!url.hostname.startsWith('[') && url.hostname.split('.').some((label) => !label)) return null;
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return url.origin;
  return null;
}
