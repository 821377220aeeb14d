/**
 * channel:create for the messaging kinds (whatsapp, telegram, email): their flags, the connector each is
 * connected through, and how the result is printed. channelCreate.ts delegates here.
 */
import { z } from 'zod';
import { emailConnector } from '../../../connectors/email/emailConnector';
import { telegramConnector } from '../../../connectors/telegram/telegramConnector';
import { whatsappConnector } from '../../../connectors/whatsapp/whatsappConnector';
import type { Config } from '../../config';
import { createSecretBox } from '../../crypto/secretBox';
import { connectChannel } from '../../domain/channels/connectChannel';
import { WHATSAPP_WEBHOOK_PATH } from '../../domain/channels/whatsapp/whatsappWebhook';
import { CLI_ACTOR } from '../command';
import { withDb } from '../withDb';

export const MESSAGING_KINDS = ['whatsapp', 'telegram', 'email'] as const;
export type MessagingKind = (typeof MESSAGING_KINDS)[number];

/** Flags only the messaging kinds use (--access-token and --app-secret are shared with --kind x). */
export const MESSAGING_FLAGS = {
  'phone-number-id': z.string().optional(),
  'display-phone-number': z.string().optional(),
  'verify-token': z.string().optional(),
  'graph-base-url': z.string().optional(),
  /** name:language, e.g. order_update:de (repeatable) */
  template: z.array(z.string()).optional(),
  'bot-token': z.string().optional(),
  'bot-username': z.string().optional(),
  'long-poll': z.string().optional(),
  address: z.string().optional(),
  'imap-host': z.string().optional(),
  'imap-port': z.string().optional(),
  'imap-tls': z.enum(['true', 'false']).optional(),
  'imap-user': z.string().optional(),
  'imap-password': z.string().optional(),
  'smtp-host': z.string().optional(),
  'smtp-port': z.string().optional(),
  'smtp-tls': z.enum(['true', 'false']).optional(),
  'smtp-user': z.string().optional(),
  'smtp-password': z.string().optional(),
};
export const MESSAGING_REPEATABLE = ['template'];
export const MESSAGING_USAGE =
  '--kind whatsapp --name N --phone-number-id ID --access-token T --app-secret S [--verify-token V] [--graph-base-url URL] [--template name:lang]…' +
  ' | --kind telegram --name N --bot-token T --bot-username U [--api-base-url URL] [--long-poll SECONDS] [--poll-interval SECONDS]' +
  ' | --kind email --name N --address A --imap-host H [--imap-port 993] [--imap-tls true|false] --imap-user U --imap-password P --smtp-host H [--smtp-port 587] [--smtp-tls true|false] [--smtp-user U --smtp-password P] [--poll-interval SECONDS]';

type Flags = { kind: string; name: string; 'access-token'?: string; 'app-secret'?: string; 'api-base-url'?: string; 'poll-interval'?: string } & {
  [K in keyof typeof MESSAGING_FLAGS]?: z.output<(typeof MESSAGING_FLAGS)[K]>;
};

export type MessagingCreated =
  | { kind: 'whatsapp'; name: string; phoneNumberId: string; webhookUrl: string; channelId: string; verifyToken: string; webhookPath: string }
  | { kind: 'telegram'; name: string; channelId: string; botId: string; botUsername: string; apiBaseUrl: string }
  | { kind: 'email'; name: string; channelId: string; address: string };

export const isMessagingKind = (kind: string): kind is MessagingKind => (MESSAGING_KINDS as readonly string[]).includes(kind);

export async function runMessagingChannelCreate(flags: Flags, config: Config): Promise<MessagingCreated> {
  const secretBox = createSecretBox(config.encryptionKey);
  if (flags.kind === 'email') {
    const input = {
      name: flags.name,
      address: flags.address ?? '',
      imapHost: flags['imap-host'] ?? '',
      imapPort: flags['imap-port'],
      imapSecure: flags['imap-tls'],
      imapUser: flags['imap-user'] ?? '',
      imapPassword: flags['imap-password'] ?? '',
      smtpHost: flags['smtp-host'] ?? '',
      smtpPort: flags['smtp-port'],
      smtpSecure: flags['smtp-tls'],
      smtpUser: flags['smtp-user'],
      smtpPassword: flags['smtp-password'],
      pollIntervalSeconds: flags['poll-interval'],
    };
    const created = await withDb(config, (db) => db.transaction().execute((tx) => connectChannel(tx, secretBox, emailConnector, input, CLI_ACTOR)));
    return { kind: 'email', name: flags.name, channelId: created.channelId, address: created.settings.address };
  }
  if (flags.kind === 'telegram') {
    const input = {
      name: flags.name,
      botToken: flags['bot-token'] ?? '',
      botUsername: flags['bot-username'] ?? '',
      apiBaseUrl: flags['api-base-url'],
      longPollSeconds: flags['long-poll'],
      pollIntervalSeconds: flags['poll-interval'],
    };
    const { channelId, settings } = await withDb(config, (db) =>
      db.transaction().execute((tx) => connectChannel(tx, secretBox, telegramConnector, input, CLI_ACTOR)),
    );
    return { kind: 'telegram', name: flags.name, channelId, botId: settings.botId, botUsername: settings.botUsername, apiBaseUrl: settings.apiBaseUrl };
  }
  const templates = (flags.template ?? []).map((t) => {
    const [name, language] = t.split(':');
    return { name: name ?? '', language: language ?? '' };
  });
  const input = {
    name: flags.name,
    phoneNumberId: flags['phone-number-id'] ?? '',
    displayPhoneNumber: flags['display-phone-number'],
    graphBaseUrl: flags['graph-base-url'],
    templates,
    accessToken: flags['access-token'] ?? '',
    appSecret: flags['app-secret'] ?? '',
    verifyToken: flags['verify-token'],
  };
  const { channelId, shownOnce } = await withDb(config, (db) =>
    db.transaction().execute((tx) => connectChannel(tx, secretBox, whatsappConnector, input, CLI_ACTOR)),
  );
  return {
    kind: 'whatsapp',
    name: flags.name,
    phoneNumberId: input.phoneNumberId,
    webhookUrl: `${config.baseUrl}${WHATSAPP_WEBHOOK_PATH}`,
    channelId,
    verifyToken: shownOnce.verifyToken ?? '',
    webhookPath: WHATSAPP_WEBHOOK_PATH,
  };
}

export function describeMessagingChannel(c: MessagingCreated): string {
  if (c.kind === 'email') {
    return `Created e-mail channel "${c.name}" (id ${c.channelId}) for ${c.address}. Passwords are stored encrypted; a running worker starts reading the mailbox within a minute.`;
  }
  if (c.kind === 'telegram') {
    return (
      `Created Telegram channel "${c.name}" (id ${c.channelId}) for @${c.botUsername} (bot ${c.botId}), polling ${c.apiBaseUrl}.\n` +
      'The bot token is stored encrypted. A running worker starts polling getUpdates within a minute; group messages count when they mention the bot.'
    );
  }
  return [
    `Created WhatsApp channel "${c.name}" (id ${c.channelId}) for phone number id ${c.phoneNumberId}.`,
    `In the Meta app's WhatsApp webhook settings enter the callback URL ${c.webhookUrl}`,
    `and this verify token (shown only once): ${c.verifyToken}`,
    'Subscribe the "messages" field. The access token and app secret are stored encrypted.',
  ].join('\n');
}
