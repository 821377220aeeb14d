/** Chat sites: the website face of a webchat channel (029_web_chat), with the channel facts a visitor's chat needs. */
import type { DbOrTx, Tx } from '../client';
import type { ChatSiteTexts, InvitationRule } from '../schema';

function siteQuery(db: DbOrTx) {
  return db
    .selectFrom('chatSites as s')
    .innerJoin('channels as ch', 'ch.id', 's.channelId')
    .select([
      's.id',
      's.channelId',
      's.name',
      's.allowedOrigins',
      's.texts',
      's.colour',
      's.prechatName',
      's.prechatEmail',
      's.invitationRules',
      's.maxWaitSeconds',
      's.targetSeconds',
      's.targetPercent',
      's.inactivityMinutes',
      's.createdAt',
      's.updatedAt',
      'ch.calendarId',
      'ch.routingTeamId',
      'ch.routingMode',
    ]);
}

type SiteRow = Awaited<ReturnType<ReturnType<typeof siteQuery>['executeTakeFirstOrThrow']>>;
export type ChatSite = Omit<SiteRow, 'texts' | 'invitationRules'> & { texts: ChatSiteTexts; invitationRules: InvitationRule[] };

function typed(row: SiteRow | undefined): ChatSite | undefined {
  return row && { ...row, texts: row.texts as ChatSiteTexts, invitationRules: row.invitationRules as InvitationRule[] };
}

export async function findChatSite(db: DbOrTx, id: string): Promise<ChatSite | undefined> {
  return typed(await siteQuery(db).where('s.id', '=', id).executeTakeFirst());
}

/** The site row locked, so invitations and edits of one site take turns. */
export async function lockChatSite(tx: Tx, id: string): Promise<ChatSite | undefined> {
  return typed(await siteQuery(tx).where('s.id', '=', id).forUpdate('s').executeTakeFirst());
}
