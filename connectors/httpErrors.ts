/** Maps an HTTP answer from a channel's remote side onto our connector error kinds. */
import { AuthFailed, ConnectorError, Permanent, RateLimited, Transient } from './types';

export function errorForStatus(status: number, detail: string, retryAfterSeconds?: number): ConnectorError {
  const message = `HTTP ${status}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
  if (status === 401 || status === 403) return new AuthFailed(message);
  if (status === 429) return new RateLimited(message, new Date(Date.now() + (retryAfterSeconds ?? 60) * 1000));
  if (status === 408 || status >= 500) return new Transient(message);
  return new Permanent(message);
}

/** Failures that happen before a request is written: nothing can have reached the remote side. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL', 'ECONNECTION', 'EDNS']);

/** Whether a request that failed with this network error code may still have been received. */
export const mayHaveArrived = (code: string | undefined): boolean => !(code && NEVER_SENT.has(code));

export function errorForFailure(err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new Transient('timed out', true);
  const code = e.code ?? e.cause?.code;
  const words = code ? NETWORK_WORDS[code] : undefined;
  return new Transient(words ? `could not be reached: ${words} (${code})` : (code ?? e.message ?? 'network error'), mayHaveArrived(code));
}

/** The network errors people meet when a URL or host is wrong or the other side is down, in words. */
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed for now',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};
