/** What the conversation page needs for the case workflow: action bar, composer, notes, presence, timeline. */
import type { Redis } from 'ioredis';
import type { Connectors } from '../../../connectors/types';
import type { Db } from '../../db/client';
import { listAudit } from '../../db/repositories/audit.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { listPredefinedTags, tagsOf, tagsOfMany } from '../../db/repositories/tags.repo';
import { listSavedViews } from '../../db/repositories/savedViews.repo';
import { listTeams } from '../../db/repositories/teams.repo';
import { findWorkflowState, latestMessageId, listStaff } from '../../db/repositories/conversationState.repo';
import { can } from '../../domain/auth/permissions';
import { allowedTransitions } from '../../domain/conversations/status';
import { whoIsTyping } from '../../domain/presence/typing';
import type { CurrentUser } from '../../middleware/auth';

export type WorkflowDeps = { db: Db; redis: Redis; config: { redisPrefix: string }; connectors: Connectors };

export async function workflowData(deps: WorkflowDeps, user: CurrentUser, conversation: { id: string; channelId: string }) {
  const { db } = deps;
  const canAudit = can(user.role, 'audit.read');
  const [wf, staff, teams, tags, predefinedTags, lastSeenMessageId, channel, typing, timeline] = await Promise.all([
    findWorkflowState(db, conversation.id), listStaff(db), listTeams(db), tagsOf(db, conversation.id), listPredefinedTags(db),
    latestMessageId(db, conversation.id), findChannel(db, conversation.channelId),
    whoIsTyping(deps.redis, deps.config.redisPrefix, conversation.id, user.id).catch(() => []),
    canAudit ? listAudit(db, { subjectId: conversation.id, order: 'asc', limit: 500 }) : Promise.resolve([]),
  ]);
  const connector = channel ? deps.connectors.of(channel.kind) : undefined;
  return {
    wf: wf ? { ...wf, version: wf.updatedAt.toISOString(), allowed: allowedTransitions(wf.status) } : null,
    staff, teams, tags, predefinedTags: predefinedTags.map((t) => t.name), lastSeenMessageId, typing, timeline,
    canWork: can(user.role, 'conversation.work'), canAudit,
    maxTextLength: channel && connector ? connector.limits(channel).maxTextLength : null,
    composerText: '', cannedId: '', actionError: null as string | null,
  };
}

/** The inbox's workflow parts: bulk-action targets, tags per row, saved views. */
export async function inboxWorkflowData(db: Db, user: CurrentUser, conversationIds: string[]) {
  const [staff, predefinedTags, savedViews, tagMap] = await Promise.all([
    listStaff(db), listPredefinedTags(db), listSavedViews(db, user.id), tagsOfMany(db, conversationIds),
  ]);
  return { canWork: can(user.role, 'conversation.work'), staff, predefinedTags: predefinedTags.map((t) => t.name), savedViews, tagMap };
}
