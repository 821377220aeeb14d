/**
 * A template reply (outside a channel's reply window) is an outbound message whose raw payload names
 * the template; the outbound worker hands it to the connector instead of the free text.
 */
import { z } from 'zod';
import type { MessageTemplate } from '../../../../connectors/types';

/** The raw payload as prepareReply stores it, after the template was checked against the channel's approved ones. */
const rawSchema = z.object({ template: z.object({ name: z.string().min(1), language: z.string().min(1) }) });

export function templateOfReply(raw: unknown): MessageTemplate | null {
  const parsed = rawSchema.safeParse(raw);
  return parsed.success ? parsed.data.template : null;
}

/** What the thread shows for a template reply. */
export const templateReplyText = (t: MessageTemplate) => `[template] ${t.name} (${t.language})`;
