/** Editing a contact's own fields (name, e-mail, phone, notes, tags); the change is audited with personal values kept beside the chain. */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { type ContactFields, lockContacts, updateContactFields } from '../../db/repositories/contactProfiles.repo';
import { Conflict, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { personalRef } from '../audit/personalValues';
import { tagName } from '../conversations/tagConversation';
import { mayWorkConversations } from '../conversations/transitionPolicy';
import { parseInput } from '../parseInput';

/** A phone number as written (+49 151 1234567, (030) 123-45); stored as + and digits. */
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()/-]{5,30}$/, 'a phone number is 5–30 digits, spaces, ( ) / - and an optional leading +')
  .transform((p) => (p.startsWith('+') ? '+' : '') + p.replace(/\D/g, ''));

export const contactInput = z
  .object({
    contactId: z.uuid(),
    name: z.string().trim().min(1).max(200).optional(),
    email: z.union([z.email().max(254).toLowerCase(), z.literal('').transform(() => null), z.null()]).optional(),
    phone: z.union([phone, z.literal('').transform(() => null), z.null()]).optional(),
    notes: z.string().max(5000).optional(),
    tags: z.array(tagName).max(20).optional(),
  })
  .strict();

const PERSONAL = ['name', 'email', 'phone', 'notes'] as const;

export async function updateContact(tx: Tx, raw: z.input<typeof contactInput>, by: { actor: Actor; role: Role }) {
  const { contactId, ...fields } = parseInput(contactInput, raw, 'contact');
  if (!mayWorkConversations(by.role)) throw new Forbidden('Your role may not edit contacts');
  const [current] = await lockContacts(tx, [contactId]);
  if (!current) throw new NotFound('Contact');
  if (current.erasedAt) throw new Conflict('This contact was erased');
  const set: Partial<ContactFields> = {};
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const key of PERSONAL) {
    const value = fields[key];
    if (value === undefined || value === current[key]) continue;
    Object.assign(set, { [key]: value });
    before[key] = current[key] === null || current[key] === '' ? null : await personalRef(tx, contactId, current[key]);
    after[key] = value === null || value === '' ? null : await personalRef(tx, contactId, value);
  }
  if (fields.tags) {
    const tags = [...new Set(fields.tags)].sort();
    if (tags.join('\n') !== current.tags.join('\n')) {
      set.tags = tags;
      before.tags = current.tags;
      after.tags = tags;
    }
  }
  if (Object.keys(set).length > 0) {
    await updateContactFields(tx, contactId, set);
    await appendAudit(tx, { actor: by.actor, action: 'contact.updated', subjectType: 'contact', subjectId: contactId, before, after });
  }
  return { contactId, changed: Object.keys(set) };
}
