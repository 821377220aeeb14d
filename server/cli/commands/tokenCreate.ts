/** token:create — issues a personal API token for the /api/v1 endpoints. */
import { z } from 'zod';
import { findUserByEmail } from '../../db/repositories/users.repo';
import { createApiToken } from '../../domain/users/createApiToken';
import { NotFound } from '../../errors';
import { CLI_ACTOR, defineCommand } from '../command';
import { withDb } from '../withDb';

export const tokenCreate = defineCommand({
  summary: 'Create an API token for a user (printed once)',
  usage: '--email E',
  flags: z.object({ email: z.email() }),
  run: (flags, { config }) => withDb(config, (db) => db.transaction().execute(async (tx) => {
    const user = await findUserByEmail(tx, flags.email);
    if (!user) throw new NotFound(`User ${flags.email}`);
    const { tokenId, token } = await createApiToken(tx, user.id, CLI_ACTOR);
    return { userId: user.id, email: user.email, tokenId, token };
  })),
  describe: (r) => `API token for ${r.email} (shown only now, store it safely):\n  ${r.token}`,
});
