/**
 * The built-in SESSION_SECRET and ENCRYPTION_KEY are in Replyline's public source: anyone could forge
 * session cookies and read channel credentials sealed with them. They serve the demo only, so that
 * `npm start` on a fresh clone just works. The rule:
 * - NODE_ENV=production: both must be set (config.ts refuses before anything starts);
 * - otherwise the built-in values are accepted only while the database holds no user besides the demo
 *   logins (a fresh clone: empty, then demo data). The first real user makes it a real installation,
 *   and the server no longer starts until both are set.
 * NODE_ENV=test (the test suite, which makes its own users) is exempt.
 */
import { ConfigError, type Config } from './config';
import type { Db } from './db/client';
import { countUsersOutside } from './db/repositories/users.repo';
import { DEMO_LOGINS } from './demo/demoLogins';

export async function refuseBuiltInKeysBeyondDemo(config: Config, db: Db): Promise<{ warning: string | null }> {
  const missing = config.builtInKeys;
  if (missing.length === 0 || config.env === 'test') return { warning: null };
  const names = missing.join(' and ');
  const realUsers = await countUsersOutside(
    db,
    DEMO_LOGINS.map((l) => l.email),
  );
  if (realUsers > 0) {
    throw new ConfigError(
      `${names} ${missing.length > 1 ? 'are' : 'is'} not set, and this database is not only the demo: it has ${realUsers} user(s) besides the demo logins. ` +
        `The built-in value${missing.length > 1 ? 's are' : ' is'} public (in the source code) and serve${missing.length > 1 ? '' : 's'} the demo only. ` +
        `Set ${names} to long random values (e.g. \`openssl rand -base64 32\`), keep them, and start again.`,
    );
  }
  return { warning: `Using the built-in ${names}: they are public and fit the demo data only. Set ${names} before adding real users or channels.` };
}
