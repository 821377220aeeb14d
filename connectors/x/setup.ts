/**
 * Connecting an X account: the API base URL (the real X API unless a proxy or test server stands in),
 * the account's user id, its credentials sealed (an app bearer token for reading, OAuth 1.0a user
 * tokens for posting), its poll interval and any number of tracked searches, each a topic; in webhook mode
 * X pushes the account's events besides (connectors/x/accountActivity.ts) and polling only catches up.
 */
import { z } from 'zod';
import { pollIntervalSchema, searchQuerySchema, type ChannelSetup } from '../types';
import { apiBaseUrlSchema, blankToUndefined, DEFAULT_X_API_BASE_URL, xCredentialsInputSchema, xSettingsSchema, type XSettings } from './settings';

const DEFAULT_POLL_INTERVAL_SECONDS = 60;
/** The refusal when webhook mode is asked for without the consumer secret (also the form's field code). */
export const X_WEBHOOK_NEEDS_SECRET = 'needed for webhook mode (the API key secret, with the other user tokens)';

export const xSetup = z
  .object({
    name: z.string().trim().min(1, 'is required').max(100),
    apiBaseUrl: z.preprocess(blankToUndefined, apiBaseUrlSchema.optional()).transform((u) => u ?? DEFAULT_X_API_BASE_URL),
    userId: z
      .string()
      .trim()
      .regex(/^\d{1,20}$/, 'must be the numeric X user id'),
    handle: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .transform((h) => h.replace(/^@/, ''))
        .pipe(z.string().regex(/^\w{1,15}$/, 'must be an X handle'))
        .optional(),
    ),
    pollIntervalSeconds: z.preprocess(blankToUndefined, pollIntervalSchema.optional()).transform((s) => s ?? DEFAULT_POLL_INTERVAL_SECONDS),
    searches: z.array(searchQuerySchema).max(25).default([]),
    webhook: z.preprocess(blankToUndefined, z.union([z.boolean(), z.enum(['true', 'false']).transform((w) => w === 'true')]).default(false)),
  })
  .and(xCredentialsInputSchema)
  // X signs its webhooks with the app's consumer secret: the OAuth 1.0a app secret.
  .refine((v) => !v.webhook || Boolean(v.appSecret), {
    message: X_WEBHOOK_NEEDS_SECRET,
    path: ['appSecret'],
  })
  .transform((v) => ({
    name: v.name,
    settings: xSettingsSchema.parse({ apiBaseUrl: v.apiBaseUrl, userId: v.userId, handle: v.handle ?? null, webhook: v.webhook }),
    credentials: Object.fromEntries(
      Object.entries({
        bearerToken: v.bearerToken,
        appKey: v.appKey,
        appSecret: v.appSecret,
        accessToken: v.accessToken,
        accessSecret: v.accessSecret,
      }).filter((e): e is [string, string] => Boolean(e[1])),
    ),
    outboundTargets: { apiBaseUrl: v.apiBaseUrl !== DEFAULT_X_API_BASE_URL ? { url: v.apiBaseUrl } : null },
    pollIntervalSeconds: v.pollIntervalSeconds,
    searches: v.searches,
  })) satisfies ChannelSetup<XSettings>;

export type NewXChannel = z.input<typeof xSetup>;
