/** reports:rebuild — recomputes the report rollups from the messages (after a bulk load that bypassed the triggers). */
import { z } from 'zod';
import { rebuildReportRollups } from '../../db/repositories/reportRollup.repo';
import { defineCommand } from '../command';
import { withDb } from '../withDb';

export const reportsRebuild = defineCommand({
  summary: 'Recompute the report rollups from all messages',
  usage: '',
  flags: z.object({}),
  run: (_flags, { config }) =>
    withDb(config, async (db) => {
      const started = Date.now();
      await rebuildReportRollups(db);
      return { seconds: (Date.now() - started) / 1000 };
    }),
  describe: (r) => `Report rollups rebuilt in ${r.seconds.toFixed(1)} s.`,
  exitCode: () => 0,
});
