/** What an X channel stores: settings in plain sight (base URL, account) and credentials sealed. */
import { z } from 'zod';

export const DEFAULT_X_API_BASE_URL = 'https://api.x.com/2/';

/** The base URL always ends in "/" so that "users/…" appends cleanly. */
export const apiBaseUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).transform((u) => (u.endsWith('/') ? u : `${u}/`));

export const xSettingsSchema = z.object({
  apiBaseUrl: apiBaseUrlSchema.default(DEFAULT_X_API_BASE_URL),
  /** The numeric id of the brand's X account (whose mentions we read). */
  userId: z.string().regex(/^\d{1,20}$/, 'must be the numeric X user id'),
  /** The account's handle without "@", for links to our posted replies. */
  handle: z
    .string()
    .regex(/^\w{1,15}$/)
    .nullish(),
  /** Webhook mode: X pushes the account's events (Account Activity), signed with the app's consumer secret; polling only catches up. */
  webhook: z.boolean().default(false),
});
export type XSettings = z.output<typeof xSettingsSchema>;

/** Empty form fields mean "not given". */
export const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalSecret = z.preprocess(blankToUndefined, z.string().trim().min(1).max(500).optional());

/** Credentials as a manager enters them: the bearer token, and the four user tokens all or none. */
export const xCredentialsInputSchema = z
  .object({
    bearerToken: z.string().trim().min(1, 'is required').max(500),
    appKey: optionalSecret,
    appSecret: optionalSecret,
    accessToken: optionalSecret,
    accessSecret: optionalSecret,
  })
  .refine(
    (c) => {
      const given = [c.appKey, c.appSecret, c.accessToken, c.accessSecret].filter(Boolean).length;
      return given === 0 || given === 4;
    },
    { message: 'give all four OAuth 1.0a user tokens (app key and secret, access token and secret) or none', path: ['accessToken'] },
  );

export const X_CREDENTIAL_FIELDS = [
  { name: 'bearerToken', required: true },
  { name: 'appKey', required: false },
  { name: 'appSecret', required: false },
  { name: 'accessToken', required: false },
  { name: 'accessSecret', required: false },
] as const;

export const xCredentialsSchema = z.object({
  /** App-only bearer token: reads mentions and searches. */
  bearerToken: z.string().min(1),
  /** OAuth 1.0a user context: posts replies and direct messages as the account. */
  appKey: z.string().optional(),
  appSecret: z.string().optional(),
  accessToken: z.string().optional(),
  accessSecret: z.string().optional(),
});
export type XCredentials = z.output<typeof xCredentialsSchema>;

export function hasUserContext(c: XCredentials): c is XCredentials & Required<Pick<XCredentials, 'appKey' | 'appSecret' | 'accessToken' | 'accessSecret'>> {
  return Boolean(c.appKey && c.appSecret && c.accessToken && c.accessSecret);
}

export const postUrl = (handle: string | null | undefined, id: string) => `https://x.com/${handle ?? 'i/web'}/status/${id}`;
