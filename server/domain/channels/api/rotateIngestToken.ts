/** A new ingest token for an API channel: the old one answers 401 from now on; the new one is shown once. */
import { hashToken, newToken } from '../../../crypto/tokens';
import type { Tx } from '../../../db/client';
import { appendAudit } from '../../../db/repositories/audit.repo';
import { lockChannel } from '../../../db/repositories/channelHealth.repo';
import { setIngestTokenHash } from '../../../db/repositories/channels.repo';
import { Conflict, NotFound } from '../../../errors';
import type { Actor } from '../../audit/actor';

export async function rotateIngestToken(tx: Tx, channelId: string, actor: Actor): Promise<{ ingestToken: string }> {
  const channel = await lockChannel(tx, channelId);
  if (!channel) throw new NotFound('Channel');
  if (channel.kind !== 'api') throw new Conflict('Only API channels have an ingest token');
  const ingestToken = newToken('rlc');
  await setIngestTokenHash(tx, channel.id, hashToken(ingestToken));
  await appendAudit(tx, { actor, action: 'channel.ingest_token_rotated', subjectType: 'channel', subjectId: channel.id, channelId: channel.id });
  return { ingestToken };
}
