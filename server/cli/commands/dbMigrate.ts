/** db:migrate — creates the database if needed and applies pending migrations. */
import { z } from 'zod';
import { ensureDatabase, migrate } from '../../db/migrate';
import { defineCommand } from '../command';

export const dbMigrate = defineCommand({
  summary: 'Create the database if missing and apply pending migrations',
  usage: '',
  flags: z.object({}),
  run: async (_flags, { config }) => {
    const databaseCreated = await ensureDatabase(config.databaseUrl);
    const applied = await migrate(config.databaseUrl);
    return { database: decodeURIComponent(new URL(config.databaseUrl).pathname.slice(1)), databaseCreated, applied };
  },
  describe: (r) =>
    [
      r.databaseCreated ? `Created database ${r.database}.` : null,
      r.applied.length ? `Applied migrations: ${r.applied.join(', ')}.` : `Database ${r.database} is up to date.`,
    ]
      .filter(Boolean)
      .join('\n'),
});
