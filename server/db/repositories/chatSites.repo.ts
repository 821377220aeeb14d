/** Chat sites: the website face of a webchat channel (029_web_chat), with the channel facts a visitor's chat needs. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { BotDisclosure, ChatSiteTexts, InvitationRule, PrechatField } from '../schema';

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
      's.botEnabled',
      's.botMaxTurns',
      's.botDisclosure',
      's.callbackMinutes',
      's.createdAt',
      's.updatedAt',
      'ch.calendarId',
      'ch.routingTeamId',
      'ch.routingMode',
    ]);
}

type SiteRow = Awaited<ReturnType<ReturnType<typeof siteQuery>['executeTakeFirstOrThrow']>>;
export type ChatSite = Omit<SiteRow, 'texts' | 'invitationRules' | 'botDisclosure'> & {
  texts: ChatSiteTexts;
  invitationRules: InvitationRule[];
  botDisclosure: BotDisclosure;
};

function typed(row: SiteRow | undefined): ChatSite | undefined {
  return (
    row && {
      ...row,
      texts: row.texts as ChatSiteTexts,
      invitationRules: row.invitationRules as InvitationRule[],
      botDisclosure: row.botDisclosure as BotDisclosure,
    }
  );
}

export async function findChatSite(db: DbOrTx, id: string): Promise<ChatSite | undefined> {
  return typed(await siteQuery(db).where('s.id', '=', id).executeTakeFirst());
}

/** The site row locked, so invitations and edits of one site take turns. */
export async function lockChatSite(tx: Tx, id: string): Promise<ChatSite | undefined> {
  return typed(await siteQuery(tx).where('s.id', '=', id).forUpdate('s').executeTakeFirst());
}

export function listChatSites(db: DbOrTx): Promise<ChatSite[]> {
  return siteQuery(db)
    .orderBy('s.name')
    .orderBy('s.id')
    .execute()
    .then((rows) => rows.map((r) => typed(r)!));
}

/** What a site itself stores (its channel keeps the queue and the opening hours). */
export type ChatSiteValues = {
  name: string;
  allowedOrigins: string[];
  texts: ChatSiteTexts;
  colour: string;
  prechatName: PrechatField;
  prechatEmail: PrechatField;
  invitationRules: InvitationRule[];
  maxWaitSeconds: number;
  targetSeconds: number;
  targetPercent: number;
  inactivityMinutes: number;
  botEnabled: boolean;
  botMaxTurns: number;
  botDisclosure: BotDisclosure;
  callbackMinutes: number;
};

const columns = (v: ChatSiteValues) => ({
  ...v,
  texts: JSON.stringify(v.texts),
  invitationRules: JSON.stringify(v.invitationRules),
  botDisclosure: JSON.stringify(v.botDisclosure),
});

export async function insertChatSite(tx: Tx, channelId: string, v: ChatSiteValues): Promise<string> {
  const row = await tx
    .insertInto('chatSites')
    .values({ channelId, ...columns(v) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateChatSite(tx: Tx, id: string, v: ChatSiteValues): Promise<void> {
  await tx
    .updateTable('chatSites')
    .set({ ...columns(v), updatedAt: sql`now()` })
    .where('id', '=', id)
    .execute();
}
