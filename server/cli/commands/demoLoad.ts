/** demo:load — demo users, channels, a chat site and conversations, only into an empty database. */
import { z } from 'zod';
import { createSecretBox } from '../../crypto/secretBox';
import { DEMO_SINK_PATH, loadDemo } from '../../demo/loadDemo';
import { DEMO_X_API_PATH } from '../../demo/demoXApi.routes';
import { defineCommand } from '../command';
import { withDb } from '../withDb';

export const demoLoad = defineCommand({
  summary: 'Load demo data (skipped when the database already has users)',
  usage: '',
  flags: z.object({}),
  run: (_flags, { config }) =>
    withDb(config, (db) =>
      loadDemo({
        db,
        secretBox: createSecretBox(config.encryptionKey),
        webhookUrl: `${config.baseUrl}${DEMO_SINK_PATH}`,
        xApiBaseUrl: `${config.baseUrl}${DEMO_X_API_PATH}/2/`,
      }),
    ),
  describe: (r) => {
    if (!r.loaded) return r.reason;
    const statuses = Object.entries(r.byStatus)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ');
    return [
      `Demo data loaded: ${r.users.length} users, ${r.channelKinds.length} channels (${r.channelKinds.join(', ')}), ${r.conversations} conversations (${statuses}), ${r.messages} messages.`,
      'Ingest tokens of the demo channels (POST customer messages with them; shown only now):',
      ...r.channels.map((c) => `  ${c.name}: ${c.ingestToken}`),
      `Replies on the demo channels go to the console's own demo receiver (${r.webhookUrl}), which checks their signature.`,
      `Website chat "Webshop" (assistant first, knowledge articles, a callback and an offline case): help page /help/${r.chatSiteId}, embed snippet under Kanäle → Website-Chat.`,
      'Demo logins: npm run cli -- demo:logins',
    ].join('\n');
  },
});
