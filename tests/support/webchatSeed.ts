/** A website chat written straight into the database (a webchat channel, its site, a visitor's conversation and chat session). */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../server/db/client';

export async function makeChatSite(db: Db, name = 'Shop') {
  const channel = await db
    .insertInto('channels')
    .values({ kind: 'webchat', name: `Website ${name}`, settings: '{}', caseFooter: false }) // footer off, as in tests/factories
    .returning('id')
    .executeTakeFirstOrThrow();
  const site = await db
    .insertInto('chatSites')
    .values({ channelId: channel.id, name, texts: '{}', invitationRules: '[]' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { channelId: channel.id, siteId: site.id };
}

export async function makeChat(
  db: Db,
  site: { channelId: string; siteId: string },
  opts: { assigneeId?: string | null; pageUrl?: string | null; prechatName?: string | null; prechatEmail?: string | null; startedAt?: Date } = {},
) {
  const visitorId = `visitor-${randomBytes(6).toString('hex')}`;
  const contact = await db
    .insertInto('contacts')
    .values({ name: opts.prechatName ?? 'Website-Besucher' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('contactIdentities')
    .values({ contactId: contact.id, channelId: site.channelId, externalId: visitorId, name: opts.prechatName ?? 'Website-Besucher' })
    .execute();
  const startedAt = opts.startedAt ?? new Date();
  const conversation = await db
    .insertInto('conversations')
    .values({
      channelId: site.channelId,
      contactId: contact.id,
      lastMessageAt: startedAt,
      assigneeId: opts.assigneeId ?? null,
      status: opts.assigneeId ? 'assigned' : 'new',
    })
    .returning(['id', 'caseNumber'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('messages')
    .values({
      conversationId: conversation.id,
      channelId: site.channelId,
      direction: 'inbound',
      externalId: `${visitorId}-1`,
      authorName: opts.prechatName ?? 'Website-Besucher',
      text: 'Hallo, ist meine Bestellung unterwegs?',
      postedAt: startedAt,
    })
    .execute();
  await db
    .insertInto('chatSessions')
    .values({
      conversationId: conversation.id,
      siteId: site.siteId,
      visitorTokenHash: randomBytes(32).toString('hex'),
      visitorId,
      pageUrl: opts.pageUrl === undefined ? 'https://shop.example/checkout?step=2' : opts.pageUrl,
      prechatName: opts.prechatName ?? null,
      prechatEmail: opts.prechatEmail ?? null,
      consentAt: startedAt,
      language: 'de',
      startedAt,
    })
    .execute();
  return { conversationId: conversation.id, caseNumber: conversation.caseNumber, visitorId };
}
