/**
 * channel:create for Facebook pages and Instagram accounts: their flags, the connector each is connected
 * through, and how the result is printed (the Meta webhook's callback URL and the verify token, once).
 */
import { z } from 'zod';
import { facebookConnector, instagramConnector } from '../../../connectors/meta/metaConnector';
import type { Config } from '../../config';
import { createSecretBox } from '../../crypto/secretBox';
import { connectChannel } from '../../domain/channels/connectChannel';
import { META_WEBHOOK_PATH } from '../../domain/channels/meta/metaWebhook';
import { CLI_ACTOR } from '../command';
import { withDb } from '../withDb';

export const PAGE_KINDS = ['facebook', 'instagram'] as const;
type PageKind = (typeof PAGE_KINDS)[number];
export const isPageKind = (kind: string): kind is PageKind => (PAGE_KINDS as readonly string[]).includes(kind);

/** Flags only these kinds use (--app-secret, --verify-token and --graph-base-url are shared with other kinds). */
export const PAGE_FLAGS = { 'page-id': z.string().optional(), 'page-token': z.string().optional() };
export const PAGE_USAGE = '--kind facebook|instagram --name N --page-id ID --app-secret S --page-token T [--verify-token V] [--graph-base-url URL]';

type Flags = {
  kind: PageKind;
  name: string;
  'page-id'?: string;
  'page-token'?: string;
  'app-secret'?: string;
  'verify-token'?: string;
  'graph-base-url'?: string;
};
export type PageCreated = { name: string; channelId: string; pageId: string; webhookUrl: string; verifyToken: string } & (
  | { kind: 'facebook' }
  | { kind: 'instagram' }
);

export async function runPageChannelCreate(flags: Flags, config: Config): Promise<PageCreated> {
  const input = {
    name: flags.name,
    pageId: flags['page-id'] ?? '',
    appSecret: flags['app-secret'] ?? '',
    pageToken: flags['page-token'] ?? '',
    verifyToken: flags['verify-token'],
    graphBaseUrl: flags['graph-base-url'],
  };
  const connector = flags.kind === 'facebook' ? facebookConnector : instagramConnector;
  const created = await withDb(config, (db) =>
    db.transaction().execute((tx) => connectChannel(tx, createSecretBox(config.encryptionKey), connector, input, CLI_ACTOR)),
  );
  return {
    ...(flags.kind === 'facebook' ? { kind: 'facebook' as const } : { kind: 'instagram' as const }),
    name: flags.name,
    channelId: created.channelId,
    pageId: created.settings.pageId,
    webhookUrl: `${config.baseUrl}${META_WEBHOOK_PATH}`,
    verifyToken: created.shownOnce.verifyToken ?? '',
  };
}

export function describePageChannel(c: PageCreated): string {
  const what = c.kind === 'facebook' ? `Facebook page ${c.pageId}` : `Instagram account ${c.pageId}`;
  const fields = c.kind === 'facebook' ? '"feed" (comments) and "messages"' : '"comments", "mentions" and "messages"';
  return [
    `Created ${c.kind === 'facebook' ? 'Facebook' : 'Instagram'} channel "${c.name}" (id ${c.channelId}) for ${what}.`,
    `In the Meta app's webhook settings enter the callback URL ${c.webhookUrl}`,
    `and this verify token (shown only once): ${c.verifyToken}`,
    `Subscribe the fields ${fields}. The app secret and page token are stored encrypted.`,
  ].join('\n');
}
