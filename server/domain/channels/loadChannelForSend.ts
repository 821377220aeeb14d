/** A channel with its credentials unsealed, as connectors need it to send a reply. */
import { z } from 'zod';
import type { ChannelForSend } from '../../../connectors/types';
import type { SecretBox } from '../../crypto/secretBox';
import type { DbOrTx } from '../../db/client';
import { findChannel } from '../../db/repositories/channels.repo';

const credentialsSchema = z.record(z.string(), z.string());

export async function loadChannelForSend(db: DbOrTx, secretBox: SecretBox, channelId: string): Promise<ChannelForSend | undefined> {
  const channel = await findChannel(db, channelId);
  if (!channel) return undefined;
  const credentials = channel.credentialsEnc ? credentialsSchema.parse(JSON.parse(secretBox.open(channel.credentialsEnc))) : {};
  return { ...channel, credentials };
}
