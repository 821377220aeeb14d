/**
 * Calls to Meta's Graph API for one page or Instagram account, with Meta's rate limits honoured before they
 * bite: every answer's X-Business-Use-Case-Usage (per page/account) and X-App-Usage headers say how much of
 * the limit is used; from USAGE_PAUSE_PERCENT on, the channel makes no further call until Meta's
 * estimated_time_to_regain_access (at least a minute) has passed — the caller gets RateLimited at once.
 */
import { errorForFailure } from '../httpErrors';
import { outbound, redirectNotFollowed, type OutboundResponse } from '../../server/net/outboundTarget';
import { AuthFailed, Permanent, RateLimited, Transient, type ConnectorError } from '../types';

const TIMEOUT_MS = 15_000;
/** Back off when any usage figure reaches this share of the limit (Meta throttles at 100). */
export const USAGE_PAUSE_PERCENT = 90;

/** Per channel: no Graph call before this time (kept in the process; a restart forgets it and Meta's headers tell again). */
const pausedUntil = new Map<string, number>();

export type GraphCall = { channelId: string; url: string; method: 'GET' | 'POST' | 'DELETE'; token: string; body?: Record<string, unknown> };

export async function graphRequest(call: GraphCall): Promise<Record<string, unknown>> {
  const until = pausedUntil.get(call.channelId);
  if (until && until > Date.now()) throw new RateLimited(`Meta usage is near the limit; calls wait until ${new Date(until).toISOString()}`, new Date(until));
  let res: OutboundResponse;
  try {
    res = await outbound().request(call.url, {
      method: call.method,
      ...(call.body ? { body: JSON.stringify(call.body) } : {}),
      timeoutMs: TIMEOUT_MS,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${call.token}` },
    });
  } catch (err) {
    throw errorForFailure(err);
  }
  const pause = pauseFromUsage(res.headers);
  if (pause) pausedUntil.set(call.channelId, Date.now() + pause);
  if (res.status >= 300 && res.status < 400) throw redirectNotFollowed(res.status, res.headers.location);
  const answer = parseJson(res.text);
  if (res.status < 200 || res.status >= 300) throw metaGraphError(res.status, answer, pause);
  if (!answer) throw new Transient(`The Graph API answered HTTP ${res.status} with a body that is not JSON`);
  return answer;
}

type Headers = Record<string, string | string[] | undefined>;
type Usage = { call_count?: number; total_cputime?: number; total_time?: number; estimated_time_to_regain_access?: number };

/** Milliseconds to wait when a usage header says the limit is near (or reached); null when there is room. */
export function pauseFromUsage(headers: Headers): number | null {
  const usages: Usage[] = [];
  const business = parseJson(String(headers['x-business-use-case-usage'] ?? ''));
  for (const list of Object.values(business ?? {})) if (Array.isArray(list)) usages.push(...(list as Usage[]));
  const app = parseJson(String(headers['x-app-usage'] ?? ''));
  if (app) usages.push(app as Usage);
  let pause: number | null = null;
  for (const u of usages) {
    const used = Math.max(u.call_count ?? 0, u.total_cputime ?? 0, u.total_time ?? 0);
    if (used < USAGE_PAUSE_PERCENT && !(u.estimated_time_to_regain_access ?? 0)) continue;
    pause = Math.max(pause ?? 0, Math.max(1, u.estimated_time_to_regain_access ?? 0) * 60_000);
  }
  return pause;
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

type GraphErrorBody = { message?: string; code?: number; error_subcode?: number };

/** Graph API error codes → our kinds (https://developers.facebook.com/docs/graph-api/guides/error-handling). */
export function metaGraphError(status: number, answer: Record<string, unknown> | null, pauseMs: number | null): ConnectorError {
  const e = (answer?.error ?? {}) as GraphErrorBody;
  const message = `Meta ${e.code ?? `HTTP ${status}`}: ${e.message ?? ''}`.slice(0, 400).trim();
  // 4 app, 17 user, 32 page, 613 call rate, 80001 page, 80002 Instagram, 80006 Messenger: rate limits.
  if ([4, 17, 32, 613, 80001, 80002, 80006].includes(e.code ?? -1) || status === 429) {
    return new RateLimited(message, new Date(Date.now() + (pauseMs ?? 60_000)));
  }
  if (e.code === 190 || status === 401) return new AuthFailed(message);
  if (e.code === 1 || e.code === 2 || status >= 500 || status === 408) return new Transient(message);
  return new Permanent(message);
}
