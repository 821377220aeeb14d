/**
 * Art. 17 erasure of one customer: their personal data leaves every table — their contact (and contacts merged
 * into it), identities, message texts, names, handles, links, raw payloads, processed webhook deliveries — and
 * the audit trail's personal values are tombstoned. Rows and their figures stay, so reports do not change, and
 * the audit chain still verifies (docs/audit-and-erasure.md). Redis holds no customer data (ids only).
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { tombstonePersonalValues } from '../../db/repositories/auditPersonalValues.repo';
import { lockContacts } from '../../db/repositories/contactProfiles.repo';
import {
  anonymiseConversations,
  contactAndMergedIds,
  conversationIdsOfContacts,
  eraseContactRows,
  scrubWebhookInbox,
} from '../../db/repositories/personalData.repo';
import { Conflict, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { can } from '../auth/permissions';
import { parseInput } from '../parseInput';

export const erasureInput = z.object({ contactId: z.uuid(), reason: z.string().trim().min(3).max(500) }).strict();

/** Shared by the erasure request and retention: everything personal of these contacts goes. */
export async function erasePersonalData(tx: Tx, contactIds: string[]) {
  const conversationIds = await conversationIdsOfContacts(tx, contactIds);
  const { messages } = await anonymiseConversations(tx, conversationIds);
  const identities = await eraseContactRows(tx, contactIds);
  const webhookDeliveries = await scrubWebhookInbox(tx, identities);
  const personalValues = await tombstonePersonalValues(tx, contactIds);
  return { contacts: contactIds.length, conversations: conversationIds.length, messages, identities: identities.length, webhookDeliveries, personalValues };
}

export async function eraseContact(tx: Tx, raw: z.input<typeof erasureInput>, by: { actor: Actor; role: Role }) {
  const { contactId, reason } = parseInput(erasureInput, raw, 'erasure');
  if (!can(by.role, 'privacy.manage')) throw new Forbidden('Only managers and admins may erase contacts');
  const [contact] = await lockContacts(tx, [contactId]);
  if (!contact) throw new NotFound('Contact');
  if (contact.erasedAt) throw new Conflict('This contact was already erased');
  if (contact.mergedIntoId) throw new Conflict('This contact was merged into another: erase that one');
  const erased = await erasePersonalData(tx, await contactAndMergedIds(tx, contactId));
  await appendAudit(tx, { actor: by.actor, action: 'contact.erased', subjectType: 'contact', subjectId: contactId, after: { reason, ...erased } });
  return { contactId, erased };
}
