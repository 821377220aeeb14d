/**
 * Who may post to an API channel: the bearer of its ingest token. Checked twice for a single post:
 *
 * - before the body is read (a stranger's megabytes are never parsed), against the channel as this
 *   process last read it — at most ACCESS_TTL_MS old, and read again at once when the token presented is
 *   not the one remembered (a token created a moment ago works at once); a single post no longer costs a
 *   look-up of its own;
 * - inside the transaction that stores the post (one statement for its whole group, ingestGroups.ts),
 *   against the row as it is then, share-locked until the commit (a rotation waits for the posts checked
 *   against the old token): a token rotated away answers 401 from the rotation's commit on, on every web
 *   process, even one whose remembered row is older.
 */
import { timingSafeEqual } from 'node:crypto';
import type { DbOrTx, Tx } from '../../../db/client';
import { findChannel, hasIngestToken } from '../../../db/repositories/channels.repo';
import { NotFound, Unauthorized } from '../../../errors';

/** How long a web process trusts its copy of a channel for the check before the body. */
const ACCESS_TTL_MS = 5_000;

type Channel = NonNullable<Awaited<ReturnType<typeof findChannel>>>;
export type IngestCredential = { channelId: string; tokenHash: string };

const UNAUTHORIZED = 'A valid ingest token for this channel is required (Authorization: Bearer <token>)';

/** The API channel `channelId` if `tokenHash` is its token's hash (404 for no API channel, 401 for another token). */
export function checkIngestAccess(channel: Channel | undefined, tokenHash: string | null): Channel {
  if (channel?.kind !== 'api') throw new NotFound('Channel');
  if (!tokenHash || !channel.ingestTokenHash || !sameHash(tokenHash, channel.ingestTokenHash)) throw new Unauthorized(UNAUTHORIZED);
  return channel;
}

/**
 * The check before the body, from this process's copies of the API channels. A copy is kept only after its
 * token matched, under the channel's own id (not the path's spelling of it), so the copies are at most one
 * per API channel whatever strangers send.
 */
export function createIngestAccess(db: DbOrTx) {
  const copies = new Map<string, { channel: Channel; readAt: number }>();
  return async (channelId: string, tokenHash: string | null): Promise<Channel> => {
    const copy = copies.get(channelId.toLowerCase());
    const fresh = copy && Date.now() - copy.readAt < ACCESS_TTL_MS ? copy.channel : undefined;
    if (fresh?.ingestTokenHash && tokenHash && sameHash(tokenHash, fresh.ingestTokenHash)) return fresh;
    const channel = checkIngestAccess(await findChannel(db, channelId), tokenHash);
    copies.set(channel.id, { channel, readAt: Date.now() });
    return channel;
  };
}

/** The check inside the storing transaction: the token is still the channel's (else 401, nothing stored). */
export async function assertIngestToken(tx: Tx, credential: IngestCredential): Promise<void> {
  if (!(await hasIngestToken(tx, credential.channelId, credential.tokenHash))) throw new Unauthorized(UNAUTHORIZED);
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
