/**
 * An audit event as one sentence in the reader's language ("Lena Vogt hat #1315 an Sam Keller
 * zugewiesen"): people by name, conversations by case number, channels by name. Ids stay in the CSV
 * and the API. One builder per action; the names come from one lookup per page (AuditNames).
 */
import type { MessageKey } from '../../i18n/messages';
import type { Translate } from '../../i18n/translate';
import type { AuditAction } from './actions';
import { OUTCOME_KEY } from '../callbacks/outcomes';

export type ReadableEvent = {
  action: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  subjectType: string;
  subjectId: string | null;
  channelId: string | null;
  before: unknown;
  after: unknown;
};

/** Names of what a page of events refers to, by id (missing: the thing is gone or was never named). */
export type AuditNames = {
  users: Map<string, string>;
  cases: Map<string, string>;
  channels: Map<string, string>;
  teams: Map<string, string>;
};

/** The ids a page of events refers to, so one query per kind can name them all. */
export function referencedIds(events: ReadableEvent[]) {
  const users = new Set<string>();
  const conversations = new Set<string>();
  const channels = new Set<string>();
  const teams = new Set<string>();
  for (const e of events) {
    if (e.actorType === 'user' && e.actorId) users.add(e.actorId);
    if (e.actorType === 'api_channel' && e.actorId) channels.add(e.actorId);
    if (e.channelId) channels.add(e.channelId);
    if (e.subjectId && e.subjectType === 'user') users.add(e.subjectId);
    if (e.subjectId && e.subjectType === 'conversation') conversations.add(e.subjectId);
    if (e.subjectId && e.subjectType === 'channel') channels.add(e.subjectId);
    const after = field(e.after);
    if (after('assigneeId')) users.add(after('assigneeId')!);
    if (after('teamId')) teams.add(after('teamId')!);
    const member = after('userId') ?? field(e.before)('userId');
    if (member) users.add(member);
    if (after('authorUserId')) users.add(after('authorUserId')!);
  }
  return { users: [...users], conversations: [...conversations], channels: [...channels], teams: [...teams] };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string or number field of a before/after value, as text. */
function field(v: unknown) {
  return (key: string): string | undefined => {
    const x = isRecord(v) ? v[key] : undefined;
    return typeof x === 'string' || typeof x === 'number' ? String(x) : undefined;
  };
}

type Parts = {
  t: Translate;
  actor: string;
  caseNo: string;
  channel: string;
  subjectName: string;
  before: (key: string) => string | undefined;
  after: (key: string) => string | undefined;
  names: AuditNames;
  e: ReadableEvent;
};

const statusText = (t: Translate, s: string | undefined) => (s ? t(('status.' + s) as MessageKey) : '—');
const roleText = (t: Translate, r: string | undefined) => (r ? t(('role.' + r) as MessageKey) : '—');
const priorityText = (t: Translate, p: string | undefined) => (p ? t(('wf.priority.' + p) as MessageKey) : '—');

const yesNo = (t: Translate, values: unknown, key: string) => t(isRecord(values) && values[key] === true ? 'audit.yes' : 'audit.no');
const authorOf = (t: Translate, names: AuditNames, after: (key: string) => string | undefined) =>
  names.users.get(after('authorUserId') ?? '') ?? t('audit.unknownPerson');

const AVAILABILITY: Record<string, MessageKey> = { online: 'availability.online', away: 'availability.away', offline: 'availability.offline' };
const MODERATED: Record<string, MessageKey> = { hide: 'audit.s.hidden', unhide: 'audit.s.unhidden', delete: 'audit.s.deleted' };
const HANDOVER_REASON: Record<string, MessageKey> = {
  asked: 'bot.handoverReason.asked',
  not_helped: 'bot.handoverReason.not_helped',
  max_turns: 'bot.handoverReason.max_turns',
  no_match: 'bot.handoverReason.no_match',
  taken: 'bot.handoverReason.taken',
};
const CHAT_ENDED_BY: Record<string, MessageKey> = {
  agent: 'chat.endedBy.agent',
  customer: 'chat.endedBy.customer',
  inactivity: 'chat.endedBy.inactivity',
  self_served: 'chat.endedBy.self_served',
};

const SENTENCES: Record<AuditAction, (p: Parts) => string> = {
  'auth.login': ({ t, actor }) => t('audit.s.login', { actor }),
  'auth.login_failed': ({ t, e }) => t('audit.s.loginFailed', { email: e.actorLabel }),
  'auth.logout': ({ t, actor }) => t('audit.s.logout', { actor }),
  'user.created': ({ t, actor, after }) => t('audit.s.userCreated', { actor, name: after('name') ?? '—', role: roleText(t, after('role')) }),
  'api_token.created': ({ t, actor, subjectName }) => t('audit.s.tokenCreated', { actor, name: subjectName }),
  'api_token.revoked': ({ t, actor, subjectName }) => t('audit.s.tokenRevoked', { actor, name: subjectName }),
  'channel.created': ({ t, actor, channel, after }) => t('audit.s.channelCreated', { actor, channel: after('name') ?? channel }),
  'channel.paused': ({ t, actor, channel }) => t('audit.s.channelPaused', { actor, channel }),
  'channel.resumed': ({ t, actor, channel }) => t('audit.s.channelResumed', { actor, channel }),
  'channel.poll_interval_changed': ({ t, actor, channel, after }) =>
    t('audit.s.pollInterval', { actor, channel, seconds: after('pollIntervalSeconds') ?? '—' }),
  'channel.credentials_changed': ({ t, actor, channel }) => t('audit.s.credentials', { actor, channel }),
  'channel.templates_changed': ({ t, actor, channel }) => t('audit.s.templates', { actor, channel }),
  'channel.sla_changed': ({ t, actor, channel }) => t('audit.s.channelSla', { actor, channel }),
  'topic.created': ({ t, actor, channel, after }) => t('audit.s.topicCreated', { actor, channel, name: after('name') ?? '—' }),
  'topic.removed': ({ t, actor, channel, before }) => t('audit.s.topicRemoved', { actor, channel, name: before('name') ?? '—' }),
  'calendar.created': ({ t, actor, after }) => t('audit.s.calendarCreated', { actor, name: after('name') ?? '—' }),
  'calendar.updated': ({ t, actor, after }) => t('audit.s.calendarUpdated', { actor, name: after('name') ?? '—' }),
  'sla_policy.created': ({ t, actor, after }) => t('audit.s.policyCreated', { actor, name: after('name') ?? '—' }),
  'sla_policy.updated': ({ t, actor, after }) => t('audit.s.policyUpdated', { actor, name: after('name') ?? '—' }),
  'sla.warning': ({ t, actor, caseNo }) => t('audit.s.slaWarning', { actor, case: caseNo }),
  'sla.breached': ({ t, actor, caseNo }) => t('audit.s.slaBreached', { actor, case: caseNo }),
  'sla.responded': ({ t, actor, caseNo }) => t('audit.s.slaResponded', { actor, case: caseNo }),
  'sla.paused': ({ t, actor, caseNo }) => t('audit.s.slaPaused', { actor, case: caseNo }),
  'sla.resumed': ({ t, actor, caseNo }) => t('audit.s.slaResumed', { actor, case: caseNo }),
  'sla.breach_reason': ({ t, actor, caseNo, after }) => t('audit.s.breachReason', { actor, case: caseNo, reason: after('breachReason') ?? '' }),
  'conversation.created': ({ t, actor, caseNo }) => t('audit.s.conversationCreated', { actor, case: caseNo }),
  'conversation.assigned': ({ t, actor, caseNo, after, names }) => {
    const person = after('assigneeId');
    if (person) return t('audit.s.assigned', { actor, case: caseNo, to: names.users.get(person) ?? t('audit.unknownPerson') });
    return t('audit.s.assignedTeam', { actor, case: caseNo, team: names.teams.get(after('teamId') ?? '') ?? '—' });
  },
  'conversation.unassigned': ({ t, actor, caseNo }) => t('audit.s.unassigned', { actor, case: caseNo }),
  'conversation.status_changed': ({ t, actor, caseNo, before, after, e }) =>
    isRecord(e.after) && Array.isArray(e.after.openTasks)
      ? t('audit.s.closedOverTasks', { actor, case: caseNo, tasks: e.after.openTasks.join(', '), reason: after('reason') ?? '' })
      : t('audit.s.status', { actor, case: caseNo, from: statusText(t, before('status')), to: statusText(t, after('status')) }),
  'conversation.reopened': ({ t, actor, caseNo }) => t('audit.s.reopened', { actor, case: caseNo }),
  'conversation.reminder_due': ({ t, actor, caseNo }) => t('audit.s.reminderDue', { actor, case: caseNo }),
  'conversation.tagged': ({ t, actor, caseNo, e }) => {
    const tags = isRecord(e.after) && Array.isArray(e.after.tags) ? e.after.tags.join(', ') : '';
    return tags ? t('audit.s.tagged', { actor, case: caseNo, tags }) : t('audit.s.untagged', { actor, case: caseNo });
  },
  'conversation.priority_changed': ({ t, actor, caseNo, after }) =>
    t('audit.s.priority', { actor, case: caseNo, priority: priorityText(t, after('priority')) }),
  'conversation.chat_ended': ({ t, actor, caseNo, after }) =>
    t('audit.s.chatEnded', { actor, case: caseNo, reason: t(CHAT_ENDED_BY[after('reason') ?? ''] ?? 'chat.endedBy.agent') }),
  'conversation.transcript_mailed': ({ t, actor, caseNo, after }) => t('audit.s.transcriptMailed', { actor, case: caseNo, to: after('to') ?? '—' }),
  'note.added': ({ t, actor, caseNo }) => t('audit.s.note', { actor, case: caseNo }),
  'message.received': ({ t, actor, caseNo }) => t('audit.s.received', { actor, case: caseNo }),
  'message.remote_status': ({ t, actor, caseNo, after }) => t('audit.s.remoteStatus', { actor, case: caseNo, status: after('remoteStatus') ?? '—' }),
  'reply.queued': ({ t, actor, caseNo, after, names }) => {
    const author = after('authorUserId');
    if (!author) return t('audit.s.replied', { actor, case: caseNo });
    return t('audit.s.repliedFor', { actor, case: caseNo, author: names.users.get(author) ?? t('audit.unknownPerson') });
  },
  'reply.submitted_for_approval': ({ t, actor, caseNo }) => t('audit.s.replySubmitted', { actor, case: caseNo }),
  'reply.edited': ({ t, actor, caseNo, names, after }) => t('audit.s.replyEdited', { actor, case: caseNo, author: authorOf(t, names, after) }),
  'reply.approved': ({ t, actor, caseNo, names, after }) => t('audit.s.replyApproved', { actor, case: caseNo, author: authorOf(t, names, after) }),
  'reply.rejected': ({ t, actor, caseNo, names, after }) =>
    t('audit.s.replyRejected', { actor, case: caseNo, author: authorOf(t, names, after), note: after('note') ?? '' }),
  'message.delivered': ({ t, actor, caseNo }) => t('audit.s.delivered', { actor, case: caseNo }),
  'message.delivery_retrying': ({ t, actor, caseNo }) => t('audit.s.retrying', { actor, case: caseNo }),
  'message.delivery_failed': ({ t, actor, caseNo }) => t('audit.s.deliveryFailed', { actor, case: caseNo }),
  'message.delivery_uncertain': ({ t, actor, caseNo }) => t('audit.s.uncertain', { actor, case: caseNo }),
  'message.delivery_marked_sent': ({ t, actor, caseNo }) => t('audit.s.markedSent', { actor, case: caseNo }),
  'message.delivery_resend': ({ t, actor, caseNo }) => t('audit.s.resend', { actor, case: caseNo }),
  'canned_response.created': ({ t, actor, after }) => t('audit.s.cannedCreated', { actor, name: after('title') ?? '—' }),
  'canned_response.updated': ({ t, actor, after }) => t('audit.s.cannedUpdated', { actor, name: after('title') ?? '—' }),
  'audit.exported': ({ t, actor, after }) => t('audit.s.auditExported', { actor, n: after('rows') ?? '—' }),
  'report.exported': ({ t, actor, e }) => t('audit.s.reportExported', { actor, name: e.subjectId ?? '—' }),
  'audit.verified': ({ t, actor, after, e }) =>
    isRecord(e.after) && e.after.ok === false ? t('audit.s.verifiedBroken', { actor }) : t('audit.s.verified', { actor, seq: after('throughSeq') ?? '—' }),
  'audit.chain_broken': ({ t, actor, after }) => t('audit.s.chainBroken', { actor, seq: after('brokenAtSeq') ?? '—' }),
  'user.invited': ({ t, actor, after }) => t('audit.s.userInvited', { actor, name: after('name') ?? '—', role: roleText(t, after('role')) }),
  'user.password_link_issued': ({ t, actor, subjectName }) => t('audit.s.passwordLink', { actor, name: subjectName }),
  'user.password_set': ({ t, subjectName }) => t('audit.s.passwordSet', { name: subjectName }),
  'user.role_changed': ({ t, actor, subjectName, before, after }) =>
    t('audit.s.roleChanged', { actor, name: subjectName, from: roleText(t, before('role')), to: roleText(t, after('role')) }),
  'user.approval_changed': ({ t, actor, subjectName, e }) =>
    t('audit.s.userApproval', { actor, name: subjectName, needs: yesNo(t, e.after, 'repliesNeedApproval'), may: yesNo(t, e.after, 'mayApproveReplies') }),
  'channel.approval_changed': ({ t, actor, channel, e }) => t('audit.s.channelApproval', { actor, channel, needs: yesNo(t, e.after, 'repliesNeedApproval') }),
  'channel.case_footer_changed': ({ t, actor, channel, e }) => t('audit.s.channelCaseFooter', { actor, channel, on: yesNo(t, e.after, 'caseFooter') }),
  'channel.bot_changed': ({ t, actor, channel, e }) => t('audit.s.channelBot', { actor, channel, on: yesNo(t, e.after, 'enabled') }),
  'user.deactivated': ({ t, actor, subjectName }) => t('audit.s.deactivated', { actor, name: subjectName }),
  'user.reactivated': ({ t, actor, subjectName }) => t('audit.s.reactivated', { actor, name: subjectName }),
  'team.created': ({ t, actor, after }) => t('audit.s.teamCreated', { actor, team: after('name') ?? '—' }),
  'team.member_added': ({ t, actor, after, names }) =>
    t('audit.s.memberAdded', { actor, team: after('team') ?? '—', name: names.users.get(after('userId') ?? '') ?? t('audit.unknownPerson') }),
  'team.member_removed': ({ t, actor, before, names }) =>
    t('audit.s.memberRemoved', { actor, team: before('team') ?? '—', name: names.users.get(before('userId') ?? '') ?? t('audit.unknownPerson') }),
  'team.capacity_changed': ({ t, actor, after }) => t('audit.s.teamCapacity', { actor, team: after('team') ?? '—' }),
  'channel.ingest_token_rotated': ({ t, actor, channel }) => t('audit.s.tokenRotated', { actor, channel }),
  'agent.availability_changed': ({ t, actor, subjectName, after }) =>
    t('audit.s.availability', { actor, name: subjectName, status: t(AVAILABILITY[after('status') ?? ''] ?? 'availability.offline') }),
  'agent.routing_changed': ({ t, actor, subjectName }) => t('audit.s.agentRouting', { actor, name: subjectName }),
  'absence.created': ({ t, actor, subjectName, after }) =>
    t('audit.s.absenceCreated', { actor, name: subjectName, from: after('from') ?? '—', to: after('to') ?? '—' }),
  'absence.cancelled': ({ t, actor, subjectName }) => t('audit.s.absenceCancelled', { actor, name: subjectName }),
  'absence.started': ({ t, subjectName, after }) => t('audit.s.absenceStarted', { name: subjectName, n: after('handedBack') ?? '0' }),
  'channel.chat_site_created': ({ t, actor, after }) => t('audit.s.chatSiteCreated', { actor, name: after('name') ?? '—' }),
  'channel.chat_site_changed': ({ t, actor, channel }) => t('audit.s.chatSiteChanged', { actor, channel }),
  'channel.routing_changed': ({ t, actor, channel, after }) => t('audit.s.channelRouting', { actor, channel, mode: after('mode') ?? '—' }),
  'conversation.routed': ({ t, actor, caseNo, after, names }) =>
    t('audit.s.routed', { actor, case: caseNo, to: names.users.get(after('assigneeId') ?? '') ?? t('audit.unknownPerson') }),
  'message.remote_edited': ({ t, caseNo }) => t('audit.s.remoteEdited', { case: caseNo }),
  'message.remote_removed': ({ t, caseNo }) => t('audit.s.remoteRemoved', { case: caseNo }),
  'channel.updated': ({ t, actor, before, after }) => t('audit.s.channelUpdated', { actor, channel: before('name') ?? '—', name: after('name') ?? '—' }),
  'message.moderated': ({ t, actor, caseNo, after }) => t(MODERATED[after('action') ?? ''] ?? 'audit.s.hidden', { actor, case: caseNo }),
  'calendar.retired': ({ t, actor, after }) => t('audit.s.calendarRetired', { actor, name: after('name') ?? '—' }),
  'sla_policy.retired': ({ t, actor, after }) => t('audit.s.policyRetired', { actor, name: after('name') ?? '—' }),
  'canned_response.retired': ({ t, actor, after }) => t('audit.s.cannedRetired', { actor, name: after('title') ?? '—' }),
  'topic.sla_changed': ({ t, actor, channel, after }) => t('audit.s.topicSla', { actor, channel, name: after('name') ?? '—' }),
  // 021_monitoring
  'conversation.topic_changed': ({ t, actor, caseNo }) => t('audit.s.topicChanged', { actor, case: caseNo }),
  'message.sentiment_overridden': ({ t, actor, caseNo, after }) =>
    t('audit.s.sentimentOverridden', { actor, case: caseNo, label: t(('sentiment.' + (after('sentiment') ?? 'neutral')) as MessageKey) }),
  'listening_query.created': ({ t, actor, after }) => t('audit.s.listeningCreated', { actor, name: after('name') ?? '—' }),
  'listening_query.backfilled': ({ t, actor, after }) => t('audit.s.listeningBackfilled', { actor, days: after('days') ?? '—', n: after('matched') ?? '0' }),
  'listening_query.updated': ({ t, actor, after }) => t('audit.s.listeningUpdated', { actor, name: after('name') ?? '—' }),
  'listening_query.deactivated': ({ t, actor, after }) => t('audit.s.listeningDeactivated', { actor, name: after('name') ?? '—' }),
  'listening_query.reactivated': ({ t, actor, after }) => t('audit.s.listeningReactivated', { actor, name: after('name') ?? '—' }),
  'alert_rule.created': ({ t, actor }) => t('audit.s.alertRuleCreated', { actor }),
  'alert.raised': ({ t, actor }) => t('audit.s.alertRaised', { actor }),
  'alert.acknowledged': ({ t, actor }) => t('audit.s.alertAcknowledged', { actor }),
  'alert_settings.updated': ({ t, actor }) => t('audit.s.alertSettings', { actor }),
  'push_subscription.added': ({ t, actor }) => t('audit.s.pushSubscribed', { actor }),
  'alert_rule.updated': ({ t, actor }) => t('audit.s.alertRuleUpdated', { actor }),
  'alert_rule.deleted': ({ t, actor }) => t('audit.s.alertRuleDeleted', { actor }),
  'push_subscription.removed': ({ t, actor }) => t('audit.s.pushUnsubscribed', { actor }),
  'report_subscription.created': ({ t, actor, after }) => t('audit.s.reportSubscribed', { actor, frequency: after('frequency') ?? '—' }),
  'report_subscription.deleted': ({ t, actor, before }) => t('audit.s.reportUnsubscribed', { actor, frequency: before('frequency') ?? '—' }),
  // contacts and personal data: the contact is never named here (its values live beside the chain)
  'contact.updated': ({ t, actor }) => t('audit.s.contactUpdated', { actor }),
  'contact.merged': ({ t, actor, after }) => t('audit.s.contactMerged', { actor, n: after('conversations') ?? '0' }),
  'contact.merge_undone': ({ t, actor }) => t('audit.s.contactMergeUndone', { actor }),
  'contact.exported': ({ t, actor }) => t('audit.s.contactExported', { actor }),
  'contact.erased': ({ t, actor, after }) => t('audit.s.contactErased', { actor, n: after('conversations') ?? '0' }),
  'channel.retention_changed': ({ t, actor, channel, after }) => t('audit.s.retentionChanged', { actor, channel, days: after('retentionDays') ?? '∞' }),
  'retention.applied': ({ t, actor, after }) => t('audit.s.retentionApplied', { actor, n: after('conversations') ?? '0' }),
  // multi-step cases (024_case_tasks): a task by its number, never by its title (case text)
  'conversation.task_created': ({ t, actor, caseNo, after, names }) => {
    const person = after('assigneeId');
    const owner = person ? (names.users.get(person) ?? t('audit.unknownPerson')) : (names.teams.get(after('teamId') ?? '') ?? '—');
    return t('audit.s.taskCreated', { actor, case: caseNo, number: after('number') ?? '?', owner });
  },
  'conversation.task_completed': ({ t, actor, caseNo, after }) => t('audit.s.taskCompleted', { actor, case: caseNo, number: after('number') ?? '?' }),
  'conversation.task_reopened': ({ t, actor, caseNo, after }) => t('audit.s.taskReopened', { actor, case: caseNo, number: after('number') ?? '?' }),
  'conversation.task_overdue': ({ t, caseNo, after }) => t('audit.s.taskOverdue', { case: caseNo, number: after('number') ?? '?', n: after('told') ?? '0' }),
  'conversation.chat_accepted': ({ t, actor, caseNo, after }) => t('audit.s.chatAccepted', { actor, case: caseNo, seconds: after('waitedSeconds') ?? '?' }),
  'conversation.callback_requested': ({ t, actor, caseNo }) => t('audit.s.callbackRequested', { actor, case: caseNo }),
  'conversation.callback_attempt': ({ t, actor, caseNo, after }) => {
    const outcome = after('outcome');
    const said = outcome === 'reached' || outcome === 'not_reached' || outcome === 'wrong_number' ? t(OUTCOME_KEY[outcome]) : '?';
    return t('audit.s.callbackAttempt', { actor, case: caseNo, outcome: said });
  },
  // 032_knowledge_base
  'knowledge.article_created': ({ t, actor, after }) => t('audit.s.articleCreated', { actor, name: after('title') ?? '—' }),
  'knowledge.article_changed': ({ t, actor, after }) => t('audit.s.articleChanged', { actor, name: after('title') ?? '—' }),
  'knowledge.article_published': ({ t, actor, after }) => t('audit.s.articlePublished', { actor, name: after('title') ?? '—' }),
  // 033_bot_first
  'conversation.bot_answered': ({ t, actor, caseNo, after }) => t('audit.s.botAnswered', { actor, case: caseNo, n: after('articles') ?? '0' }),
  'conversation.bot_handed_over': ({ t, actor, caseNo, after }) =>
    t('audit.s.botHandedOver', { actor, case: caseNo, reason: t(HANDOVER_REASON[after('reason') ?? ''] ?? 'bot.handoverReason.asked') }),
  'conversation.bot_self_served': ({ t, actor, caseNo }) => t('audit.s.botSelfServed', { actor, case: caseNo }),
};

/** Who did it, as a reader names them: a person by name, a channel by its name, a system part by its role. */
export function actorName(e: ReadableEvent, names: AuditNames, t: Translate): string {
  if (e.actorType === 'user') return (e.actorId && names.users.get(e.actorId)) || e.actorLabel;
  if (e.actorType === 'api_channel') return t('audit.actor.channel', { name: (e.actorId && names.channels.get(e.actorId)) || e.actorLabel });
  return t('audit.actor.system', { component: e.actorLabel });
}

export function auditSentence(e: ReadableEvent, names: AuditNames, t: Translate): string {
  const build = SENTENCES[e.action as AuditAction];
  const channelId = e.subjectType === 'channel' ? e.subjectId : e.channelId;
  const parts: Parts = {
    t,
    e,
    names,
    actor: actorName(e, names, t),
    caseNo: (e.subjectType === 'conversation' && e.subjectId && names.cases.get(e.subjectId)) || '?',
    channel: (channelId && names.channels.get(channelId)) || '—',
    subjectName: (e.subjectType === 'user' && e.subjectId && names.users.get(e.subjectId)) || t('audit.unknownPerson'),
    before: field(e.before),
    after: field(e.after),
  };
  return build ? build(parts) : t('audit.s.other', { actor: parts.actor, action: e.action });
}
