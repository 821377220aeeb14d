/**
 * The short lists the workspace pages offer in filters and forms (channels, people, staff, teams, predefined tags),
 * read in one statement: as five they were half of the inbox's statements, each with its round trip and its plan.
 * Each list is its own repository's query, aggregated in its order. The inbox adds the viewer's saved views to the
 * same statement.
 */
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DbOrTx } from '../client';
import { compiledOnce } from '../compiledOnce';
import { channelsQuery } from './channels.repo';
import { staffQuery } from './conversationState.repo';
import { savedViewsQuery } from './savedViews.repo';
import { predefinedTagsQuery } from './tags.repo';
import { teamsQuery } from './teams.repo';
import { usersQuery } from './users.repo';

function listsQuery(db: DbOrTx) {
  return db
    .selectFrom(sql`(SELECT 1)`.as('one'))
    .select([
      jsonArrayFrom(channelsQuery(db)).as('channels'),
      jsonArrayFrom(usersQuery(db)).as('users'),
      jsonArrayFrom(staffQuery(db)).as('staff'),
      jsonArrayFrom(teamsQuery(db)).as('teams'),
      jsonArrayFrom(predefinedTagsQuery(db)).as('predefinedTags'),
    ]);
}

const lists = compiledOnce((db) => listsQuery(db));

export async function workspaceLists(db: DbOrTx) {
  return (await lists(db, {}))[0]!;
}

export type WorkspaceLists = Awaited<ReturnType<typeof workspaceLists>>;

const listsAndSavedViews = compiledOnce((db, { viewerId }: { viewerId: string }) =>
  listsQuery(db).select(jsonArrayFrom(savedViewsQuery(db, viewerId)).as('savedViews')),
);

/** The workspace's lists and the viewer's saved views (the inbox's filter bar), in one statement. */
export async function inboxLists(db: DbOrTx, viewerId: string) {
  return (await listsAndSavedViews(db, { viewerId }))[0]!;
}
