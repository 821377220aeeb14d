/**
 * Whether a channel's first agent reply of each conversation carries the case number and the status link
 * (caseStatus/caseFooter.ts); on by default. Set by managers and admins, audited with before and after; an
 * unchanged form changes nothing.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockChannel } from '../../db/repositories/channelHealth.repo';
import { setChannelCaseFooterFlag } from '../../db/repositories/channels.repo';
import { NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';
import { checkbox } from '../replies/approvalRules';

export const channelCaseFooterInput = z.object({ channelId: z.uuid(), caseFooter: checkbox });

export async function setChannelCaseFooter(tx: Tx, raw: z.input<typeof channelCaseFooterInput>, actor: Actor) {
  const { channelId, caseFooter } = parseInput(channelCaseFooterInput, raw, 'case footer');
  const channel = await lockChannel(tx, channelId);
  if (!channel) throw new NotFound('Channel');
  if (channel.caseFooter === caseFooter) return { caseFooter };
  await setChannelCaseFooterFlag(tx, channel.id, caseFooter);
  await appendAudit(tx, {
    actor,
    action: 'channel.case_footer_changed',
    subjectType: 'channel',
    subjectId: channel.id,
    channelId: channel.id,
    before: { caseFooter: channel.caseFooter },
    after: { caseFooter },
  });
  return { caseFooter };
}
