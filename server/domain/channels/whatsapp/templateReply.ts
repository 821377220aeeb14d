/**
 * A template reply (WhatsApp outside the 24-hour window) is an outbound message whose raw payload names
 * the template; the outbound worker hands it to the connector instead of the free text.
 */
import { z } from 'zod';
import { templateSchema, type WhatsappTemplate } from '../../../../connectors/whatsapp/settings';

const rawSchema = z.object({ template: templateSchema });

export function templateOfReply(raw: unknown): WhatsappTemplate | null {
  const parsed = rawSchema.safeParse(raw);
  return parsed.success ? parsed.data.template : null;
}

/** What the thread shows for a template reply. */
export const templateReplyText = (t: WhatsappTemplate) => `[template] ${t.name} (${t.language})`;
