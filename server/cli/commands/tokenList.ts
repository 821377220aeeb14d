/** token:list — a user's API tokens with their state (never the tokens themselves: only hashes are stored). */
import { z } from 'zod';
import { findUserByEmail, listApiTokens } from '../../db/repositories/users.repo';
import { NotFound } from '../../errors';
import { defineCommand } from '../command';
import { withDb } from '../withDb';

export const tokenList = defineCommand({
  summary: "List a user's API tokens: id, created, expires, last used, revoked",
  usage: '--email E',
  flags: z.object({ email: z.email() }),
  run: (flags, { config }) =>
    withDb(config, async (db) => {
      const user = await findUserByEmail(db, flags.email);
      if (!user) throw new NotFound(`User ${flags.email}`);
      const now = Date.now();
      const tokens = (await listApiTokens(db, user.id)).map((t) => ({
        id: t.id,
        createdAt: t.createdAt.toISOString(),
        expiresAt: t.expiresAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        revokedAt: t.revokedAt?.toISOString() ?? null,
        state: t.revokedAt ? 'revoked' : t.expiresAt.getTime() <= now ? 'expired' : 'active',
      }));
      return { email: user.email, tokens };
    }),
  describe: (r) =>
    r.tokens.length === 0
      ? `${r.email} has no API tokens.`
      : r.tokens.map((t) => `  ${t.id}  ${t.state.padEnd(7)}  created ${t.createdAt}  expires ${t.expiresAt}  last used ${t.lastUsedAt ?? 'never'}`).join('\n'),
});
