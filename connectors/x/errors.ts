/** Translates twitter-api-v2 failures into our connector error kinds, keeping the API's own error text. */
import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { AuthFailed, ConnectorError, Permanent, RateLimited, Transient } from '../types';

const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

export function xErrorFor(err: unknown, now = Date.now()): ConnectorError {
  if (err instanceof ConnectorError) return err;
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
  if (err instanceof ApiPartialResponseError) return new Transient(`X sent a response that could not be read: ${err.responseError.message}`);
  if (err instanceof ApiRequestError) return new Transient(`X could not be reached: ${err.requestError.message}`);
  return new Transient((err as Error)?.message ?? 'unknown error talking to X');
}

function apiErrorText(err: ApiResponseError): string {
  const data = err.data as { detail?: unknown; title?: unknown; errors?: { message?: unknown; detail?: unknown }[] } | undefined;
  const parts = [data?.detail, data?.title, data?.errors?.[0]?.message, data?.errors?.[0]?.detail];
  const text = parts.find((p): p is string => typeof p === 'string' && p.length > 0) ?? '';
  return text.slice(0, 300);
}
