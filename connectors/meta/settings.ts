/** What a Facebook page or Instagram channel stores: the account id and Graph base URL in plain sight, tokens sealed. */
import { z } from 'zod';

export const DEFAULT_META_GRAPH_BASE_URL = 'https://graph.facebook.com/v21.0';
/** Messenger and Instagram DMs: a free reply this long after the customer's last message. */
export const META_FREE_WINDOW_HOURS = 24;
/** With the HUMAN_AGENT tag a person may still answer this long after the customer's last message (7 days). */
export const META_HUMAN_AGENT_WINDOW_HOURS = 7 * 24;
/** A private reply to a comment's author is allowed this long after the comment (7 days), once. */
export const META_PRIVATE_REPLY_WINDOW_HOURS = 7 * 24;

export const metaSettingsSchema = z.object({
  /** The Facebook page id, or the Instagram professional account id: Meta's entry[].id, and where replies go. */
  pageId: z.string().regex(/^\d{1,30}$/, 'must be the numeric page or account id from Meta'),
  graphBaseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .default(DEFAULT_META_GRAPH_BASE_URL),
});
export type MetaSettings = z.output<typeof metaSettingsSchema>;

export const metaCredentialsSchema = z.object({
  appSecret: z.string().min(1),
  pageToken: z.string().min(1),
  verifyToken: z.string().min(1),
});
