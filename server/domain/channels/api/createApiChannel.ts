/**
 * Connecting an API channel: a custom source that posts to us with an ingest token and receives our
 * replies on its webhook, signed with a webhook secret. Both secrets are returned once; the database
 * keeps only the token's hash and the secret sealed in the channel's credentials.
 */
import { z } from 'zod';
import type { SecretBox } from '../../../crypto/secretBox';
import { hashToken, newToken } from '../../../crypto/tokens';
import type { Tx } from '../../../db/client';
import { appendAudit } from '../../../db/repositories/audit.repo';
import { insertChannel } from '../../../db/repositories/channels.repo';
import type { Actor } from '../../audit/actor';
import { parseInput } from '../../parseInput';
import { assertOutboundTargets } from '../outboundTargets';

export const apiChannelSchema = z.object({
  name: z.string().trim().min(1).max(100),
  webhookUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .nullish()
    .transform((u) => u ?? null),
});

export type NewApiChannel = z.input<typeof apiChannelSchema>;

export type CreatedApiChannel = { channelId: string; ingestToken: string; webhookSecret: string };

export async function createApiChannel(tx: Tx, secretBox: SecretBox, input: NewApiChannel, actor: Actor): Promise<CreatedApiChannel> {
  const { name, webhookUrl } = parseInput(apiChannelSchema, input, 'channel');
  await assertOutboundTargets({ webhookUrl: webhookUrl ? { url: webhookUrl } : null });
  const ingestToken = newToken('rlc');
  const webhookSecret = newToken('rlw');
  const channel = await insertChannel(tx, {
    kind: 'api',
    name,
    webhookUrl,
    ingestTokenHash: hashToken(ingestToken),
    credentialsEnc: secretBox.seal(JSON.stringify({ webhookSecret })),
  });
  await appendAudit(tx, {
    actor,
    action: 'channel.created',
    subjectType: 'channel',
    subjectId: channel.id,
    channelId: channel.id,
    after: { kind: channel.kind, name, webhookUrl },
  });
  return { channelId: channel.id, ingestToken, webhookSecret };
}
