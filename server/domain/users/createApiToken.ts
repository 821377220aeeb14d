/** A personal API token for a user: the plain token is returned once, only its hash is stored. It expires. */
import { z } from 'zod';
import { hashToken, newToken } from '../../crypto/tokens';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findUserById, insertApiToken } from '../../db/repositories/users.repo';
import { NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 730;

export const tokenLifetimeSchema = z.object({ days: z.coerce.number().int().min(1).max(MAX_TOKEN_DAYS).default(DEFAULT_TOKEN_DAYS) });

export async function createApiToken(
  tx: Tx,
  userId: string,
  actor: Actor,
  options: z.input<typeof tokenLifetimeSchema> = {},
): Promise<{ tokenId: string; token: string; expiresAt: Date }> {
  const { days } = parseInput(tokenLifetimeSchema, options, 'token');
  const user = await findUserById(tx, userId);
  if (!user) throw new NotFound('User');
  const token = newToken('rlu');
  const { id: tokenId, expiresAt } = await insertApiToken(tx, user.id, hashToken(token), new Date(Date.now() + days * 86400_000));
  await appendAudit(tx, {
    actor,
    action: 'api_token.created',
    subjectType: 'user',
    subjectId: user.id,
    after: { tokenId, expiresAt: expiresAt.toISOString() },
  });
  return { tokenId, token, expiresAt };
}
