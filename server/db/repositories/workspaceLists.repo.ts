/**
 * The short lists the workspace pages offer in filters and forms (channels, people, staff, teams, predefined tags),
 * read in one statement: as five they were half of the inbox's statements, each with its round trip and its plan.
 * Each list is its own repository's query, aggregated in its order.
 */
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DbOrTx } from '../client';
import { channelsQuery } from './channels.repo';
import { staffQuery } from './conversationState.repo';
import { predefinedTagsQuery } from './tags.repo';
import { teamsQuery } from './teams.repo';
import { usersQuery } from './users.repo';

export function workspaceLists(db: DbOrTx) {
  return db
    .selectFrom(sql`(SELECT 1)`.as('one'))
    .select([
      jsonArrayFrom(channelsQuery(db)).as('channels'),
      jsonArrayFrom(usersQuery(db)).as('users'),
      jsonArrayFrom(staffQuery(db)).as('staff'),
      jsonArrayFrom(teamsQuery(db)).as('teams'),
      jsonArrayFrom(predefinedTagsQuery(db)).as('predefinedTags'),
    ])
    .executeTakeFirstOrThrow();
}
