/** What a WhatsApp channel stores: settings in plain sight (number, Graph base URL, templates) and credentials sealed. */
import { z } from 'zod';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com/v21.0';
/** Free-form replies are allowed only this long after the customer's last message (Meta's customer service window). */
export const SERVICE_WINDOW_HOURS = 24;

export const templateSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be a template name as registered with Meta (a-z, 0-9, _)'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as de or en_US'),
});

export const whatsappSettingsSchema = z.object({
  /** Routes inbound webhooks to this channel and addresses outbound messages. */
  phoneNumberId: z.string().regex(/^\d{1,30}$/, 'must be the numeric phone number id from Meta'),
  displayPhoneNumber: z.string().max(40).nullish(),
  graphBaseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .default(DEFAULT_GRAPH_BASE_URL),
  /** Approved message templates agents may send outside the 24-hour window. */
  templates: z.array(templateSchema).max(100).default([]),
});
export type WhatsappSettings = z.output<typeof whatsappSettingsSchema>;

export const whatsappCredentialsSchema = z.object({
  accessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
});

export function readWhatsappSettings(settings: unknown): WhatsappSettings {
  return whatsappSettingsSchema.parse(settings);
}
