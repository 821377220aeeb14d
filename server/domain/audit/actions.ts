/**
 * Every action an audit event records, by subject. `appendAudit` accepts only these, so a new action is added
 * here first (and then shows up as a filter suggestion on the audit page). Names are `<subject>.<what happened>`.
 */
export const AUDIT_ACTIONS = [
  // people and access
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'user.created',
  'api_token.created',
  'api_token.revoked',
  // channels and their settings
  'channel.created',
  'channel.paused',
  'channel.resumed',
  'channel.poll_interval_changed',
  'channel.credentials_changed',
  'channel.templates_changed',
  'channel.sla_changed',
  'topic.created',
  'topic.removed',
  // service levels
  'calendar.created',
  'calendar.updated',
  'sla_policy.created',
  'sla_policy.updated',
  'sla.warning',
  'sla.breached',
  'sla.responded',
  'sla.paused',
  'sla.resumed',
  'sla.breach_reason',
  // conversations
  'conversation.created',
  'conversation.assigned',
  'conversation.unassigned',
  'conversation.status_changed',
  'conversation.reopened',
  'conversation.reminder_due',
  'conversation.tagged',
  'conversation.priority_changed',
  'conversation.chat_ended',
  'conversation.transcript_mailed',
  'note.added',
  // messages and replies
  'message.received',
  'message.remote_status',
  'reply.queued',
  'message.delivered',
  'message.delivery_retrying',
  'message.delivery_failed',
  'message.delivery_uncertain',
  'message.delivery_marked_sent',
  'message.delivery_resend',
  // canned responses, exports
  'canned_response.created',
  'canned_response.updated',
  'audit.exported',
  'report.exported',
  // user administration (015)
  'user.invited',
  'user.password_link_issued',
  'user.password_set',
  'user.role_changed',
  'user.deactivated',
  'user.reactivated',
  'team.created',
  'team.member_added',
  'team.member_removed',
  'channel.ingest_token_rotated',
  'channel.updated',
  // audit chain verification (016_audit_oversight)
  'audit.verified',
  'audit.chain_broken',
  // routing: availability, skills and slots, absences, channels' routing mode, the router's decisions
  'agent.availability_changed',
  'agent.routing_changed',
  'absence.created',
  'absence.cancelled',
  'absence.started',
  'channel.routing_changed',
  'conversation.routed',
  // Facebook and Instagram comments: changed by their author on the channel, moderated by an agent
  'message.remote_edited',
  'message.remote_removed',
  'message.moderated',
  // retiring (soft delete) and per-topic policies (016_audit_oversight)
  'calendar.retired',
  'sla_policy.retired',
  'canned_response.retired',
  'topic.sla_changed',
  // monitoring: listening queries, sentiment overrides, alerts
  'conversation.topic_changed',
  'message.sentiment_overridden',
  'listening_query.created',
  'listening_query.backfilled',
  'listening_query.updated',
  'listening_query.deactivated',
  'listening_query.reactivated',
  'alert_rule.created',
  'alert.raised',
  'alert.acknowledged',
  'alert_settings.updated',
  'push_subscription.added',
  // alert rules edited and deleted in the console, browsers unsubscribed, scheduled report e-mails (028)
  'alert_rule.updated',
  'alert_rule.deleted',
  'push_subscription.removed',
  'report_subscription.created',
  'report_subscription.deleted',
  // contacts and personal data (docs/audit-and-erasure.md)
  'contact.updated',
  'contact.merged',
  'contact.merge_undone',
  'contact.exported',
  'contact.erased',
  'channel.retention_changed',
  'retention.applied',
  // a team's default slots per channel class (022_team_capacity)
  'team.capacity_changed',
  // reply approval, four-eyes (025_reply_approval): the rules per person and channel, the author's request, the approver's decision
  'user.approval_changed',
  'channel.approval_changed',
  // 034: the case number and status link in a conversation's first answer, per channel
  'channel.case_footer_changed',
  // 036_channel_bot: a channel's bot setting (on/off, turns, disclosure, help site)
  'channel.bot_changed',
  'reply.submitted_for_approval',
  'reply.edited',
  'reply.approved',
  'reply.rejected',
  // multi-step cases: tasks on a conversation (024_case_tasks), under the conversation's subject and group
  'conversation.task_created',
  'conversation.task_completed',
  'conversation.task_reopened',
  'conversation.task_overdue',
  // website live chat (029_web_chat): an agent took a ringing chat
  'conversation.chat_accepted',
  // callback requests (035_callbacks): a visitor asked to be called, an agent recorded a call attempt
  'conversation.callback_requested',
  'conversation.callback_attempt',
  // knowledge base (032_knowledge_base): articles written by managers, grouped with the canned responses
  'knowledge.article_created',
  'knowledge.article_changed',
  'knowledge.article_published',
  // website live chat (029_web_chat): a chat site set up or changed, under its webchat channel
  'channel.chat_site_created',
  'channel.chat_site_changed',
  // bot first (033_bot_first): the bot offered articles, handed a chat to a person, or the visitor was helped
  'conversation.bot_answered',
  'conversation.bot_handed_over',
  'conversation.bot_self_served',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
