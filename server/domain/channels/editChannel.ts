/**
 * Editing a channel in the console: its name (every kind) and, for an API channel, the webhook URL its replies
 * go to (checked by the outbound-target guard like at creation). Audited with before and after; an unchanged
 * form changes nothing.
 */
import type { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockChannel } from '../../db/repositories/channelHealth.repo';
import { updateChannelDetails } from '../../db/repositories/channels.repo';
import { BadRequest, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';
import { apiChannelSchema } from './api/createApiChannel';
import { assertOutboundTargets } from './outboundTargets';

export const channelEditInput = apiChannelSchema.extend({ webhookUrl: apiChannelSchema.shape.webhookUrl.optional() });

export async function editChannel(tx: Tx, channelId: string, raw: z.input<typeof channelEditInput>, actor: Actor) {
  const input = parseInput(channelEditInput, raw, 'channel');
  const channel = await lockChannel(tx, channelId);
  if (!channel) throw new NotFound('Channel');
  if (input.webhookUrl !== undefined && channel.kind !== 'api')
    throw new BadRequest('Only API channels have a webhook URL', { fields: { webhookUrl: 'not supported' } });
  const webhookUrl = input.webhookUrl === undefined ? channel.webhookUrl : input.webhookUrl;
  if (webhookUrl && webhookUrl !== channel.webhookUrl) await assertOutboundTargets({ webhookUrl: { url: webhookUrl } });
  if (input.name === channel.name && webhookUrl === channel.webhookUrl) return;
  await updateChannelDetails(tx, channel.id, { name: input.name, webhookUrl });
  await appendAudit(tx, {
    actor,
    action: 'channel.updated',
    subjectType: 'channel',
    subjectId: channel.id,
    channelId: channel.id,
    before: { name: channel.name, webhookUrl: channel.webhookUrl },
    after: { name: input.name, webhookUrl },
  });
}
