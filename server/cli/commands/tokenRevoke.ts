/** token:revoke — ends an API token at once (find its id with token:list). */
import { z } from 'zod';
import { revokeApiToken } from '../../domain/users/revokeApiToken';
import { CLI_ACTOR, defineCommand } from '../command';
import { withDb } from '../withDb';

export const tokenRevoke = defineCommand({
  summary: 'Revoke an API token: from now on it answers 401',
  usage: '--id TOKEN_ID',
  flags: z.object({ id: z.uuid() }),
  run: (flags, { config }) =>
    withDb(config, (db) =>
      db.transaction().execute(async (tx) => {
        const { tokenId, userId, revokedAt } = await revokeApiToken(tx, flags.id, CLI_ACTOR);
        return { tokenId, userId, revokedAt: revokedAt.toISOString() };
      }),
    ),
  describe: (r) => `Revoked API token ${r.tokenId}.`,
});
