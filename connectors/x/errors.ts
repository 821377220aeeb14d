/** Translates twitter-api-v2 failures into our connector error kinds, keeping the API's own error text. */
import type { ApiResponseError } from 'twitter-api-v2';
import { AuthFailed, ConnectorError, Permanent, RateLimited, Transient } from '../types';
import { mayHaveArrived } from '../httpErrors';
import { twitterApi } from './client';

const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

export function xErrorFor(err: unknown, now = Date.now()): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const { ApiPartialResponseError, ApiRequestError, ApiResponseError } = twitterApi();
  if (err instanceof ApiResponseError) {
    const detail = apiErrorText(err);
    const message = `X API ${err.code}${detail ? `: ${detail}` : ''}`;
    if (err.code === 429) {
      // X sends no Retry-After; x-rate-limit-reset (epoch seconds) says when the window opens again.
      const reset = err.rateLimit?.reset;
      return new RateLimited(message, new Date(reset ? reset * 1000 : now + DEFAULT_RATE_LIMIT_WAIT_MS));
    }
    if (err.code === 401) return new AuthFailed(message);
    if (err.code === 408 || err.code >= 500) return new Transient(message);
    return new Permanent(message);
  }
  if (err instanceof ApiPartialResponseError)
    return new Transient(`X sent a response that could not be read: ${causeText(err.responseError) ?? err.message}`, true);
  if (err instanceof ApiRequestError) {
    // twitter-api-v2 1.29 stores the cause as `error` while its `requestError` getter reads another field.
    const cause = (err as unknown as { _options?: { error?: unknown; requestError?: unknown } })._options;
    const inner = cause?.requestError ?? cause?.error;
    if (inner instanceof ConnectorError) return inner; // the outbound-target guard refused the address
    return new Transient(`X could not be reached: ${causeText(inner) ?? err.message}`, mayHaveArrived((inner as { code?: string } | undefined)?.code));
  }
  return new Transient(err instanceof Error && err.message ? err.message : 'unknown error talking to X');
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed for now',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the TLS certificate is for another host name',
};

/** "connection refused (127.0.0.1:9)" from a Node network error; null when there is nothing readable. */
function causeText(cause: unknown): string | null {
  if (!cause || typeof cause !== 'object') return typeof cause === 'string' && cause ? cause : null;
  const e = cause as { code?: unknown; message?: unknown; address?: unknown; port?: unknown };
  const where = typeof e.address === 'string' ? ` (${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''})` : '';
  if (typeof e.code === 'string') return `${NETWORK_CODES[e.code] ?? e.code}${where}`;
  if (typeof e.message === 'string' && e.message) return /timeout/i.test(e.message) ? 'timed out' : e.message;
  return null;
}

function apiErrorText(err: ApiResponseError): string {
  const data = err.data as { detail?: unknown; title?: unknown; errors?: { message?: unknown; detail?: unknown }[] } | undefined;
  const parts = [data?.detail, data?.title, data?.errors?.[0]?.message, data?.errors?.[0]?.detail];
  const text = parts.find((p): p is string => typeof p === 'string' && p.length > 0) ?? '';
  return text.slice(0, 300);
}
