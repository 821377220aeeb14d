/** Channels: connected accounts and custom API sources. */
import type { DbOrTx } from '../client';
import type { ChannelKind } from '../schema';

export function insertChannel(db: DbOrTx, c: { kind: ChannelKind; name: string; ingestTokenHash: string | null; webhookUrl: string | null; credentialsEnc: string | null }) {
  return db.insertInto('channels').values(c).returningAll().executeTakeFirstOrThrow();
}

export function findChannel(db: DbOrTx, id: string) {
  return db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listChannels(db: DbOrTx) {
  return db.selectFrom('channels').select(['id', 'kind', 'name']).orderBy('name').execute();
}
