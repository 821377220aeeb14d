/** channel:create — connects a channel. Only API channels can be created here so far. */
import { z } from 'zod';
import { createSecretBox } from '../../crypto/secretBox';
import { apiChannelSchema, createApiChannel } from '../../domain/channels/createChannel';
import { CLI_ACTOR, defineCommand } from '../command';
import { withDb } from '../withDb';

export const channelCreate = defineCommand({
  summary: 'Connect a channel (prints its ingest token and webhook secret once)',
  usage: '--kind api --name N [--webhook-url URL]',
  flags: z.object({
    kind: z.literal('api', { error: (issue) => `channel kind "${String(issue.input)}" is not supported yet by the CLI; only "api" is` }),
    name: apiChannelSchema.shape.name,
    'webhook-url': apiChannelSchema.shape.webhookUrl,
  }),
  run: async (flags, { config }) => {
    const input = { name: flags.name, webhookUrl: flags['webhook-url'] };
    const created = await withDb(config, (db) => db.transaction().execute((tx) => createApiChannel(tx, createSecretBox(config.encryptionKey), input, CLI_ACTOR)));
    return { ...created, kind: flags.kind, ...input };
  },
  describe: (c) => [
    `Created API channel "${c.name}" (id ${c.channelId}).`,
    'Store these now, they are shown only once:',
    `  ingest token:   ${c.ingestToken}`,
    `  webhook secret: ${c.webhookSecret}`,
    c.webhookUrl ? `Replies go to ${c.webhookUrl}, signed with the webhook secret.` : 'No webhook URL: replies on this channel cannot be delivered until one is set.',
  ].join('\n'),
});
