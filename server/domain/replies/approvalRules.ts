/**
 * Who and what needs four eyes: per person (their replies wait for an approver; they may approve others'
 * replies) and per channel (every reply on it waits, unless an approver writes it). Set by managers and admins,
 * audited with before and after; an unchanged form changes nothing.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockChannel } from '../../db/repositories/channelHealth.repo';
import { setChannelRepliesNeedApproval } from '../../db/repositories/channels.repo';
import { findUserForUpdate, setUserApprovalFlags } from '../../db/repositories/users.repo';
import { NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';

/** A checkbox: 'on' when ticked in a form, a boolean in JSON; absent means off. */
export const checkbox = z
  .union([z.boolean(), z.literal('on')])
  .optional()
  .transform((v) => v === true || v === 'on');

export const userApprovalInput = z.object({ userId: z.uuid(), repliesNeedApproval: checkbox, mayApproveReplies: checkbox });
export const channelApprovalInput = z.object({ channelId: z.uuid(), repliesNeedApproval: checkbox });

export async function setUserApproval(tx: Tx, effects: Effects, raw: z.input<typeof userApprovalInput>, actor: Actor) {
  const { userId, ...after } = parseInput(userApprovalInput, raw, 'approval');
  const user = await findUserForUpdate(tx, userId);
  if (!user) throw new NotFound('User');
  const before = { repliesNeedApproval: user.repliesNeedApproval, mayApproveReplies: user.mayApproveReplies };
  if (before.repliesNeedApproval === after.repliesNeedApproval && before.mayApproveReplies === after.mayApproveReplies) return after;
  await setUserApprovalFlags(tx, user.id, after);
  // who may approve is part of the signed-in user the web processes keep (middleware/accessCopies.ts)
  effects.publish({ type: 'access', userId: user.id });
  await appendAudit(tx, { actor, action: 'user.approval_changed', subjectType: 'user', subjectId: user.id, before, after });
  return after;
}

export async function setChannelApproval(tx: Tx, raw: z.input<typeof channelApprovalInput>, actor: Actor) {
  const { channelId, repliesNeedApproval } = parseInput(channelApprovalInput, raw, 'approval');
  const channel = await lockChannel(tx, channelId);
  if (!channel) throw new NotFound('Channel');
  if (channel.repliesNeedApproval === repliesNeedApproval) return { repliesNeedApproval };
  await setChannelRepliesNeedApproval(tx, channel.id, repliesNeedApproval);
  await appendAudit(tx, {
    actor,
    action: 'channel.approval_changed',
    subjectType: 'channel',
    subjectId: channel.id,
    channelId: channel.id,
    before: { repliesNeedApproval: channel.repliesNeedApproval },
    after: { repliesNeedApproval },
  });
  return { repliesNeedApproval };
}
