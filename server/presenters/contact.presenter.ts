/** A contact profile → API shape (GET /api/v1/contacts/:id). */
import type { ContactProfile } from '../domain/contacts/contactProfile';

export function presentContact({ contact, identities, conversations, suggestions, merges }: ContactProfile) {
  return {
    id: contact.id,
    name: contact.name,
    email: contact.email,
    phone: contact.phone,
    notes: contact.notes,
    tags: contact.tags,
    mergedIntoId: contact.mergedIntoId,
    erasedAt: contact.erasedAt?.toISOString() ?? null,
    createdAt: contact.createdAt.toISOString(),
    identities: identities.map((i) => ({
      id: i.id,
      channel: { id: i.channelId, name: i.channelName, kind: i.channelKind },
      externalId: i.externalId,
      handle: i.handle,
      name: i.name,
    })),
    conversations: conversations.map((c) => ({
      id: c.id,
      caseNumber: c.caseNumber,
      status: c.status,
      channel: { id: c.channelId, name: c.channelName, kind: c.channelKind },
      lastMessageAt: c.lastMessageAt.toISOString(),
    })),
    suggestedMerges: suggestions.map((s) => ({ contactId: s.id, name: s.name, reason: s.reason })),
    merges: merges.map((m) => ({
      id: m.id,
      mergedContactId: m.mergedContactId,
      mergedContactName: m.mergedContactName,
      mergedAt: m.mergedAt.toISOString(),
      undoneAt: m.undoneAt?.toISOString() ?? null,
      undoUntil: m.undoUntil.toISOString(),
      undoable: m.undoable,
    })),
  };
}
