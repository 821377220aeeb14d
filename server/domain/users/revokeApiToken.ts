/** Revoking an API token: from now on it answers 401. Audited in the caller's transaction. */
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findApiTokenById, markApiTokenRevoked } from '../../db/repositories/users.repo';
import { Conflict, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';

export async function revokeApiToken(tx: Tx, tokenId: string, actor: Actor): Promise<{ tokenId: string; userId: string; revokedAt: Date }> {
  const token = await findApiTokenById(tx, tokenId);
  if (!token) throw new NotFound('API token');
  const revoked = await markApiTokenRevoked(tx, token.id);
  if (!revoked?.revokedAt) throw new Conflict(`API token ${token.id} was already revoked`);
  await appendAudit(tx, {
    actor,
    action: 'api_token.revoked',
    subjectType: 'user',
    subjectId: token.userId,
    before: { tokenId: token.id, revokedAt: null },
    after: { tokenId: token.id, revokedAt: revoked.revokedAt.toISOString() },
  });
  return { tokenId: token.id, userId: token.userId, revokedAt: revoked.revokedAt };
}
