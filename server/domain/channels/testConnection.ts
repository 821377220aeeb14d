/**
 * "Test connection" on the channels page: the channel's connector makes one harmless call with the stored
 * settings and credentials and says what the remote side answered. Nothing is stored or audited: a test
 * changes nothing. Any failure is an answer too (never a 500), in the connector's words.
 */
import { ConnectorError, type Connectors } from '../../../connectors/types';
import type { SecretBox } from '../../crypto/secretBox';
import type { DbOrTx } from '../../db/client';
import { NotFound } from '../../errors';
import { loadChannelForSend } from './loadChannelForSend';

export type ConnectionTest = { ok: boolean; answer: string; at: Date };

export async function testChannelConnection(db: DbOrTx, secretBox: SecretBox, connectors: Connectors, channelId: string): Promise<ConnectionTest> {
  const channel = await loadChannelForSend(db, secretBox, channelId);
  const connector = channel && connectors.of(channel.kind);
  if (!channel || !connector) throw new NotFound('Channel');
  try {
    return { ok: true, answer: await connector.testConnection(channel), at: new Date() };
  } catch (err) {
    const answer = err instanceof ConnectorError ? err.message : `unexpected failure: ${(err as Error)?.message ?? String(err)}`;
    return { ok: false, answer, at: new Date() };
  }
}
