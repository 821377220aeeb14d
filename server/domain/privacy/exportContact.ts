/**
 * Art. 15 access: everything stored about one customer — contact fields, identities, every conversation with its
 * messages and tasks, merges, and the audit events about the contact with their personal values revealed. The export is
 * itself audited. The routes send it as JSON or as one self-contained HTML page.
 */
import type { Db } from '../../db/client';
import { appendAudit, listAudit } from '../../db/repositories/audit.repo';
import { listMessages } from '../../db/repositories/messages.repo';
import { chatVisitorOf } from '../../db/repositories/personalData.repo';
import { listTasksOf } from '../../db/repositories/tasks.repo';
import type { Actor } from '../audit/actor';
import { revealPersonalValues } from '../audit/personalValues';
import { loadContactProfile } from '../contacts/contactProfile';

export async function exportContact(db: Db, contactId: string, actor: Actor, now = new Date()) {
  const { contact, identities, conversations, merges } = await loadContactProfile(db, contactId, now);
  const withMessages = [];
  for (const c of conversations) {
    const [messages, tasks, chat] = await Promise.all([listMessages(db, c.id), listTasksOf(db, c.id), chatVisitorOf(db, c.id)]);
    withMessages.push({
      caseNumber: c.caseNumber,
      channel: { name: c.channelName, kind: c.channelKind },
      status: c.status,
      createdAt: c.createdAt.toISOString(),
      messages: messages.map((m) => ({
        direction: m.direction,
        author: m.direction === 'inbound' ? { name: m.authorName, handle: m.authorHandle } : { name: m.authorName },
        text: m.text,
        url: m.url,
        postedAt: m.postedAt.toISOString(),
      })),
      // a website chat: what the visitor gave in the pre-chat form and the page they wrote from
      chat: chat
        ? {
            name: chat.prechatName,
            email: chat.prechatEmail,
            page: chat.pageUrl,
            consentAt: chat.consentAt?.toISOString() ?? null,
            startedAt: chat.startedAt.toISOString(),
            endedAt: chat.endedAt?.toISOString() ?? null,
          }
        : null,
      // task titles are written by staff about the case and may name the customer, like notes
      tasks: tasks.map((t) => ({
        number: t.number,
        title: t.title,
        state: t.state,
        dueAt: t.dueAt?.toISOString() ?? null,
        completedAt: t.completedAt?.toISOString() ?? null,
      })),
    });
  }
  const events = await listAudit(db, { subjectId: contactId, subjectType: 'contact', limit: 1000, order: 'asc' });
  const revealed = await revealPersonalValues(
    db,
    events.map((e) => ({ before: e.before, after: e.after })),
  );
  await appendAudit(db, {
    actor,
    action: 'contact.exported',
    subjectType: 'contact',
    subjectId: contactId,
    after: { conversations: conversations.length, identities: identities.length },
  });
  return {
    exportedAt: now.toISOString(),
    contact: {
      id: contact.id,
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      notes: contact.notes,
      tags: contact.tags,
      createdAt: contact.createdAt.toISOString(),
      erasedAt: contact.erasedAt?.toISOString() ?? null,
    },
    identities: identities.map((i) => ({ channel: { name: i.channelName, kind: i.channelKind }, externalId: i.externalId, handle: i.handle, name: i.name })),
    conversations: withMessages,
    merges: merges.map((m) => ({ mergedContactId: m.mergedContactId, mergedAt: m.mergedAt.toISOString(), undoneAt: m.undoneAt?.toISOString() ?? null })),
    history: events.map((e, i) => ({ at: e.occurredAt.toISOString(), action: e.action, by: e.actorLabel, ...(revealed[i] as object) })),
  };
}
