/** token:create — issues a personal API token for the /api/v1 endpoints; it expires after --days. */
import { z } from 'zod';
import { findUserByEmail } from '../../db/repositories/users.repo';
import { createApiToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, tokenLifetimeSchema } from '../../domain/users/createApiToken';
import { NotFound } from '../../errors';
import { CLI_ACTOR, defineCommand } from '../command';
import { withDb } from '../withDb';

export const tokenCreate = defineCommand({
  summary: `Create an API token for a user (printed once); it expires after --days (default ${DEFAULT_TOKEN_DAYS}, at most ${MAX_TOKEN_DAYS})`,
  usage: `--email E [--days ${DEFAULT_TOKEN_DAYS}]`,
  flags: tokenLifetimeSchema.extend({ email: z.email() }),
  run: (flags, { config }) =>
    withDb(config, (db) =>
      db.transaction().execute(async (tx) => {
        const user = await findUserByEmail(tx, flags.email);
        if (!user) throw new NotFound(`User ${flags.email}`);
        const { tokenId, token, expiresAt } = await createApiToken(tx, user.id, CLI_ACTOR, { days: flags.days });
        return { userId: user.id, email: user.email, tokenId, token, expiresAt: expiresAt.toISOString() };
      }),
    ),
  describe: (r) => `API token ${r.tokenId} for ${r.email}, valid until ${r.expiresAt} (shown only now, store it safely):\n  ${r.token}`,
});
