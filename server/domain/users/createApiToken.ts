/** A personal API token for a user: the plain token is returned once, only its hash is stored. */
import { hashToken, newToken } from '../../crypto/tokens';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findUserById, insertApiToken } from '../../db/repositories/users.repo';
import { NotFound } from '../../errors';
import type { Actor } from '../audit/actor';

export async function createApiToken(tx: Tx, userId: string, actor: Actor): Promise<{ tokenId: string; token: string }> {
  const user = await findUserById(tx, userId);
  if (!user) throw new NotFound('User');
  const token = newToken('rlu');
  const { id: tokenId } = await insertApiToken(tx, user.id, hashToken(token));
  await appendAudit(tx, { actor, action: 'api_token.created', subjectType: 'user', subjectId: user.id, after: { tokenId } });
  return { tokenId, token };
}
