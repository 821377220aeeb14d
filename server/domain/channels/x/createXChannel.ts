/**
 * Connecting an X account: the API base URL (the real X API unless a proxy or test server stands in),
 * the account's user id, its credentials sealed (an app bearer token for reading, OAuth 1.0a user
 * tokens for posting), its poll interval and any number of tracked searches, each a topic.
 */
import { z } from 'zod';
import { apiBaseUrlSchema, blankToUndefined, DEFAULT_X_API_BASE_URL, xCredentialsInputSchema, xSettingsSchema } from '../../../../connectors/x/settings';
import type { SecretBox } from '../../../crypto/secretBox';
import type { Tx } from '../../../db/client';
import { appendAudit } from '../../../db/repositories/audit.repo';
import { insertPollingChannel, insertTrackedSearch } from '../../../db/repositories/channelHealth.repo';
import type { Actor } from '../../audit/actor';
import { parseInput } from '../../parseInput';
import { assertOutboundTargets } from '../outboundTargets';

export const MIN_POLL_INTERVAL_SECONDS = 5;
export const DEFAULT_POLL_INTERVAL_SECONDS = 60;


export const pollIntervalSchema = z.coerce.number({ error: 'must be a number of seconds' }).int('must be whole seconds')
  .min(MIN_POLL_INTERVAL_SECONDS, `must be at least ${MIN_POLL_INTERVAL_SECONDS} seconds`).max(86_400, 'must be at most one day');

export const searchQuerySchema = z.string().trim().min(1, 'must not be empty').max(512, 'must be at most 512 characters');

export const xChannelSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  apiBaseUrl: z.preprocess(blankToUndefined, apiBaseUrlSchema.optional()).transform((u) => u ?? DEFAULT_X_API_BASE_URL),
  userId: z.string().trim().regex(/^\d{1,20}$/, 'must be the numeric X user id'),
  handle: z.preprocess(blankToUndefined, z.string().trim().transform((h) => h.replace(/^@/, '')).pipe(z.string().regex(/^\w{1,15}$/, 'must be an X handle')).optional()),
  pollIntervalSeconds: z.preprocess(blankToUndefined, pollIntervalSchema.optional()).transform((s) => s ?? DEFAULT_POLL_INTERVAL_SECONDS),
  searches: z.array(searchQuerySchema).max(25).default([]),
}).and(xCredentialsInputSchema);

export type NewXChannel = z.input<typeof xChannelSchema>;
export type CreatedXChannel = {
  channelId: string;
  name: string;
  apiBaseUrl: string;
  userId: string;
  pollIntervalSeconds: number;
  topics: { id: string; name: string; query: string }[];
  credentials: Record<string, string>;
};

/** What a secret looks like once it is stored: its last four characters, never more. */
export function maskSecret(secret: string | undefined | null): string {
  if (!secret) return '';
  return secret.length <= 4 ? '••••' : `••••${secret.slice(-4)}`;
}

export function maskCredentials(c: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v).map(([k, v]) => [k, maskSecret(v)]));
}

export const topicNameFor = (query: string) => (query.length > 80 ? `${query.slice(0, 79)}…` : query);

export async function createXChannel(tx: Tx, secretBox: SecretBox, input: NewXChannel, actor: Actor): Promise<CreatedXChannel> {
  const v = parseInput(xChannelSchema, input, 'channel');
  await assertOutboundTargets({ apiBaseUrl: v.apiBaseUrl !== DEFAULT_X_API_BASE_URL ? { url: v.apiBaseUrl } : null });
  const settings = xSettingsSchema.parse({ apiBaseUrl: v.apiBaseUrl, userId: v.userId, handle: v.handle ?? null });
  const credentials = Object.fromEntries(Object.entries({
    bearerToken: v.bearerToken, appKey: v.appKey, appSecret: v.appSecret, accessToken: v.accessToken, accessSecret: v.accessSecret,
  }).filter((e): e is [string, string] => Boolean(e[1])));
  const channel = await insertPollingChannel(tx, {
    kind: 'x', name: v.name, settings: JSON.stringify(settings), credentialsEnc: secretBox.seal(JSON.stringify(credentials)),
    pollIntervalSeconds: v.pollIntervalSeconds,
  });
  const masked = maskCredentials(credentials);
  await appendAudit(tx, {
    actor, action: 'channel.created', subjectType: 'channel', subjectId: channel.id, channelId: channel.id,
    after: { kind: 'x', name: v.name, ...settings, pollIntervalSeconds: v.pollIntervalSeconds, credentials: masked },
  });
  const topics = [];
  for (const query of [...new Set(v.searches)]) {
    const topic = await insertTrackedSearch(tx, { channelId: channel.id, name: topicNameFor(query), query });
    await appendAudit(tx, { actor, action: 'topic.created', subjectType: 'topic', subjectId: topic.id, channelId: channel.id, after: { name: topic.name, query } });
    topics.push(topic);
  }
  return {
    channelId: channel.id, name: v.name, apiBaseUrl: settings.apiBaseUrl, userId: settings.userId,
    pollIntervalSeconds: v.pollIntervalSeconds, topics, credentials: masked,
  };
}
