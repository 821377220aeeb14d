/**
 * Connecting a channel of any kind whose connector has a setup (X, WhatsApp, Telegram, e-mail): the
 * connector reads the form into settings and credentials; here every URL and host entered passes the
 * outbound-target guard, the remote identity is checked to be free, the credentials are sealed, the channel and its first tracked searches are stored and audited.
 * The worker's schedule sweep picks a polled channel up within a minute (the caller may sync it sooner).
 */
import type { Connector } from '../../../connectors/types';
import type { SecretBox } from '../../crypto/secretBox';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { insertConnectedChannel } from '../../db/repositories/channels.repo';
import { findChannelBySetting } from '../../db/repositories/webhookInbox.repo';
import { BadRequest, Conflict } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';
import { startTrackedSearch } from './channelPolling';
import { maskCredentials } from './maskCredentials';
import { assertOutboundTargets } from './outboundTargets';

export type ConnectedChannel<Settings> = {
  channelId: string;
  name: string;
  settings: Settings;
  pollIntervalSeconds: number;
  /** The stored credentials as they are shown from now on: masked. */
  credentials: Record<string, string>;
  /** Secrets to show in full this once (the connector's `shownOnce`). */
  shownOnce: Record<string, string>;
  topics: { id: string; name: string; query: string }[];
};

export async function connectChannel<Settings extends object>(
  tx: Tx,
  secretBox: SecretBox,
  connector: Connector<Settings>,
  input: unknown,
  actor: Actor,
): Promise<ConnectedChannel<Settings>> {
  if (!connector.setup) throw new BadRequest(`A ${connector.kind} channel is not connected this way`);
  const v = parseInput(connector.setup, input, 'channel');
  await assertOutboundTargets(v.outboundTargets);
  if (v.unique && (await findChannelBySetting(tx, connector.kind, v.unique.setting, v.unique.value))) {
    throw new Conflict(v.unique.message, { fields: { [v.unique.field]: 'taken' } });
  }
  const channel = await insertConnectedChannel(tx, {
    kind: connector.kind,
    name: v.name,
    settings: v.settings,
    pollIntervalSeconds: v.pollIntervalSeconds,
    credentialsEnc: secretBox.seal(JSON.stringify(v.credentials)),
  });
  const masked = maskCredentials(v.credentials);
  await appendAudit(tx, {
    actor,
    action: 'channel.created',
    subjectType: 'channel',
    subjectId: channel.id,
    channelId: channel.id,
    after: {
      kind: connector.kind,
      name: v.name,
      ...v.settings,
      pollIntervalSeconds: v.pollIntervalSeconds,
      // Credentials a manager may replace later are audited the way they are shown: masked.
      ...(connector.capabilities.credentials ? { credentials: masked } : {}),
    },
  });
  const topics = [];
  for (const query of new Set(v.searches)) topics.push(await startTrackedSearch(tx, channel.id, query, actor));
  return {
    channelId: channel.id,
    name: v.name,
    settings: v.settings,
    pollIntervalSeconds: channel.pollIntervalSeconds,
    credentials: masked,
    shownOnce: v.shownOnce ?? {},
    topics,
  };
}
