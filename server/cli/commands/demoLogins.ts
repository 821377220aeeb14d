/** demo:logins — the documented demo users and their passwords. */
import { z } from 'zod';
import { DEMO_LOGINS } from '../../demo/demoLogins';
import { defineCommand } from '../command';

export const demoLogins = defineCommand({
  summary: 'Show the demo users and their passwords',
  usage: '',
  flags: z.object({}),
  run: async () => ({ logins: DEMO_LOGINS.map(({ role, email, password }) => ({ role, email, password })) }),
  describe: (r) => r.logins.map((l) => `  ${l.role.padEnd(8)} ${l.email.padEnd(30)} ${l.password}`).join('\n'),
});
