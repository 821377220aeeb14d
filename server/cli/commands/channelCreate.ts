/** channel:create — connects a channel: an API channel, or an X account (polled by the worker). */
import { z } from 'zod';
import { xConnector } from '../../../connectors/x/xConnector';
import type { XSettings } from '../../../connectors/x/settings';
import { createSecretBox } from '../../crypto/secretBox';
import { apiChannelSchema, createApiChannel } from '../../domain/channels/api/createApiChannel';
import { connectChannel, type ConnectedChannel } from '../../domain/channels/connectChannel';
import { X_WEBHOOK } from '../../domain/channels/x/xWebhook';
import { CLI_ACTOR, defineCommand, UsageError } from '../command';
import {
  describeMessagingChannel,
  isMessagingKind,
  MESSAGING_FLAGS,
  MESSAGING_REPEATABLE,
  MESSAGING_USAGE,
  runMessagingChannelCreate,
  type MessagingCreated,
} from './messagingChannelCreate';
import { withDb } from '../withDb';
import { describePageChannel, isPageKind, PAGE_FLAGS, PAGE_USAGE, runPageChannelCreate, type PageCreated } from './pageChannelCreate';

type CreatedX = { kind: 'x'; callbackUrl: string | null } & Pick<XSettings, 'apiBaseUrl' | 'userId'> &
  Pick<ConnectedChannel<XSettings>, 'channelId' | 'name' | 'pollIntervalSeconds' | 'topics' | 'credentials'>;

export const channelCreate = defineCommand({
  summary: 'Connect a channel (prints its ingest token and webhook secret once)',
  usage:
    '--kind api --name N [--webhook-url URL] | --kind x --name N --bearer-token T --user-id ID [--api-base-url URL] [--handle H] [--app-key K --app-secret S --access-token T --access-secret S] [--poll-interval SECONDS] [--search "query"]… [--webhook true] | ' +
    MESSAGING_USAGE +
    ' | ' +
    PAGE_USAGE,
  flags: z.object({
    kind: z.enum(['api', 'x', 'whatsapp', 'telegram', 'email', 'facebook', 'instagram'], {
      error: (issue) => `channel kind "${String(issue.input)}" is not supported by the CLI; use api, x, whatsapp, telegram, email, facebook or instagram`,
    }),
    name: apiChannelSchema.shape.name,
    'webhook-url': apiChannelSchema.shape.webhookUrl,
    // --kind x (validated by the X channel command itself)
    'api-base-url': z.string().optional(),
    'bearer-token': z.string().optional(),
    'user-id': z.string().optional(),
    handle: z.string().optional(),
    'app-key': z.string().optional(),
    'app-secret': z.string().optional(),
    'access-token': z.string().optional(),
    'access-secret': z.string().optional(),
    'poll-interval': z.string().optional(),
    webhook: z.enum(['true', 'false']).optional(),
    search: z.array(z.string()).optional(),
    ...MESSAGING_FLAGS,
    ...PAGE_FLAGS,
  }),
  repeatable: ['search', ...MESSAGING_REPEATABLE],
  run: async (
    flags,
    { config },
  ): Promise<
    | { kind: 'api'; channelId: string; name: string; webhookUrl: string | null | undefined; ingestToken: string; webhookSecret: string }
    | CreatedX
    | MessagingCreated
    | PageCreated
  > => {
    if (isMessagingKind(flags.kind)) return runMessagingChannelCreate({ ...flags, kind: flags.kind }, config);
    if (isPageKind(flags.kind)) return runPageChannelCreate({ ...flags, kind: flags.kind }, config);
    if (flags.kind === 'x') {
      const missing = (['bearer-token', 'user-id'] as const).filter((f) => !flags[f]);
      if (missing.length) throw new UsageError(missing.map((f) => `--${f} is required for --kind x`).join('; '));
      const x = {
        name: flags.name,
        apiBaseUrl: flags['api-base-url'],
        userId: flags['user-id'] ?? '',
        handle: flags.handle,
        bearerToken: flags['bearer-token'] ?? '',
        appKey: flags['app-key'],
        appSecret: flags['app-secret'],
        accessToken: flags['access-token'],
        accessSecret: flags['access-secret'],
        pollIntervalSeconds: flags['poll-interval'],
        searches: flags.search ?? [],
        webhook: flags.webhook,
      };
      // The worker picks the new channel up within a minute (its schedule sweep); the CLI needs no Redis.
      const { channelId, name, settings, pollIntervalSeconds, topics, credentials } = await withDb(config, (db) =>
        db.transaction().execute((tx) => connectChannel(tx, createSecretBox(config.encryptionKey), xConnector, x, CLI_ACTOR)),
      );
      const callbackUrl = settings.webhook ? `${config.baseUrl}${X_WEBHOOK.path}` : null;
      return { kind: 'x', channelId, name, apiBaseUrl: settings.apiBaseUrl, userId: settings.userId, callbackUrl, pollIntervalSeconds, topics, credentials };
    }
    const input = { name: flags.name, webhookUrl: flags['webhook-url'] };
    const created = await withDb(config, (db) =>
      db.transaction().execute((tx) => createApiChannel(tx, createSecretBox(config.encryptionKey), input, CLI_ACTOR)),
    );
    return { ...created, kind: 'api', ...input };
  },
  describe: (c) =>
    c.kind === 'whatsapp' || c.kind === 'telegram' || c.kind === 'email'
      ? describeMessagingChannel(c)
      : c.kind === 'facebook' || c.kind === 'instagram'
        ? describePageChannel(c)
        : c.kind === 'x'
          ? [
              `Created X channel "${c.name}" (id ${c.channelId}) for X user ${c.userId}, reading ${c.apiBaseUrl} every ${c.pollIntervalSeconds} s.`,
              `Credentials stored encrypted: ${Object.entries(c.credentials)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}.`,
              c.topics.length ? `Tracked searches: ${c.topics.map((t) => `"${t.query}"`).join(', ')}.` : 'No tracked searches (add them on the channels page).',
              'A running worker starts polling it within a minute.',
              ...(c.callbackUrl ? [`Webhook mode: register ${c.callbackUrl} as the X app's webhook and subscribe the account; polling only catches up.`] : []),
            ].join('\n')
          : [
              `Created API channel "${c.name}" (id ${c.channelId}).`,
              'Store these now, they are shown only once:',
              `  ingest token:   ${c.ingestToken}`,
              `  webhook secret: ${c.webhookSecret}`,
              c.webhookUrl
                ? `Replies go to ${c.webhookUrl}, signed with the webhook secret.`
                : 'No webhook URL: replies on this channel cannot be delivered until one is set.',
            ].join('\n'),
});
