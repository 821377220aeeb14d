/** Table types for the typed query layer (columns in camelCase; CamelCasePlugin maps them to snake_case). */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type Role = 'agent' | 'manager' | 'auditor' | 'admin';
export type Locale = 'de' | 'en';
export type ChannelKind = 'api' | 'x' | 'whatsapp' | 'telegram' | 'email' | 'webchat' | 'facebook' | 'instagram';
export type ConversationStatus = 'new' | 'saved' | 'assigned' | 'answered' | 'closed';
export type Direction = 'inbound' | 'outbound' | 'note';
/** uncertain (012): the send was interrupted before the channel confirmed it; an agent checks and decides. */
/** pending_approval, rejected (025): waiting for an approver, turned back by one; never sent in either state. */
export type DeliveryState = 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain' | 'pending_approval' | 'rejected';
export type ActorType = 'user' | 'system' | 'api_channel';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | undefined, string>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: Role;
  /** null (015): invited, no password set yet */
  passwordHash: string | null;
  locale: Generated<Locale>;
  createdAt: Generated<Date>;
  /** 015: deactivated users keep their history but cannot sign in or use a token */
  deactivatedAt: Generated<Date | null>;
  // 025_reply_approval: this person's replies wait for an approver; this person may approve others' replies
  repliesNeedApproval: Generated<boolean>;
  mayApproveReplies: Generated<boolean>;
}

export interface ApiTokensTable {
  id: Generated<string>;
  userId: string;
  tokenHash: string;
  createdAt: Generated<Date>;
  lastUsedAt: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface ChannelsTable {
  id: Generated<string>;
  kind: ChannelKind;
  name: string;
  ingestTokenHash: string | null;
  webhookUrl: string | null;
  credentialsEnc: string | null;
  /** Json already allows leaving it out on insert (the column defaults to '{}'). */
  settings: Json;
  createdAt: Generated<Date>;
  // service level: the channel's calendar and policy
  calendarId: Generated<string | null>;
  slaPolicyId: Generated<string | null>;
  // polling: schedule, cursor and health
  pollIntervalSeconds: Generated<number>;
  paused: Generated<boolean>;
  cursor: Generated<string | null>;
  lastSuccessAt: Generated<Date | null>;
  itemsFetched: Generated<string>;
  lastError: Generated<string | null>;
  lastErrorKind: Generated<PollErrorKind | null>;
  lastErrorAt: Generated<Date | null>;
  consecutiveFailures: Generated<number>;
  nextPollAt: Generated<Date | null>;
  rateLimitRemaining: Generated<number | null>;
  rateLimitResetAt: Generated<Date | null>;
  pollLeaseUntil: Generated<Date | null>;
  // X direct messages: where the DM poll continues
  dmCursor: Generated<string | null>;
  // 014_routing
  routingMode: Generated<RoutingMode>;
  routingTeamId: Generated<string | null>;
  // 020: days closed conversations keep personal data (null: no limit)
  retentionDays: Generated<number | null>;
  // 025_reply_approval: replies on this channel wait for an approver
  repliesNeedApproval: Generated<boolean>;
  // 034: the first agent reply of a conversation carries the case number and the status link
  caseFooter: Generated<boolean>;
  // 036_channel_bot: bot first on a messaging channel (see ChatSitesTable for the widget's)
  botEnabled: Generated<boolean>;
  botMaxTurns: Generated<number>;
  botDisclosure: Json;
  botHelpSiteId: Generated<string | null>;
}

export type PollErrorKind = 'auth' | 'rate_limited' | 'transient' | 'permanent';

export interface ContactsTable {
  id: Generated<string>;
  name: string;
  createdAt: Generated<Date>;
  // 020_contacts_and_privacy: fields agents edit, the merge it went into, its erasure
  email: Generated<string | null>;
  phone: Generated<string | null>;
  notes: Generated<string>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  mergedIntoId: Generated<string | null>;
  erasedAt: Generated<Date | null>;
}

export interface ContactIdentitiesTable {
  id: Generated<string>;
  contactId: string;
  channelId: string;
  externalId: string;
  handle: string | null;
  name: string;
  avatarUrl: Generated<string | null>;
}

export interface ConversationsTable {
  id: Generated<string>;
  caseNumber: Generated<string>;
  channelId: string;
  contactId: string;
  status: Generated<ConversationStatus>;
  assigneeId: string | null;
  lastMessageAt: Timestamp;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
  // service level: topic, policy and due times
  topicId: Generated<string | null>;
  slaPolicyId: Generated<string | null>;
  firstResponseDueAt: Generated<Date | null>;
  nextResponseDueAt: Generated<Date | null>;
  resolutionDueAt: Generated<Date | null>;
  responseDueAt: Generated<Date | null>;
  // case work: team, reminder, close reason, priority
  teamId: Generated<string | null>;
  remindAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  closeReason: Generated<string | null>;
  priority: Generated<Priority>;
  // NULL = the contact's public thread, 'dm' = their direct messages
  threadKey: Generated<string | null>;
  // 014_routing: why the router chose the assignee, when, and when the assignee first opened it
  routingReason: Generated<Json | null>;
  routedAt: Generated<Date | null>;
  routingOpenedAt: Generated<Date | null>;
  language: Generated<string | null>;
  region: Generated<string | null>;
  // 021_monitoring: the latest inbound post's sentiment (language: see 014_routing above)
  sentimentLabel: Generated<SentimentLabel | null>;
  // 020: when retention or erasure removed its personal data
  anonymisedAt: Generated<Date | null>;
}

/** A file a customer sent with a message (026); content NULL until fetched from the provider (provider_ref) or when too large. */
export interface MessageAttachmentsTable {
  id: Generated<string>;
  messageId: string;
  position: number;
  fileName: string | null;
  contentType: string | null;
  sizeBytes: number | null;
  providerRef: string | null;
  content: Buffer | null;
  fetchedAt: Date | null;
}

export interface MessagesTable {
  id: Generated<string>;
  conversationId: string;
  channelId: string;
  direction: Direction;
  externalId: string | null;
  inReplyToExternalId: string | null;
  authorName: string;
  authorHandle: string | null;
  authorUserId: string | null;
  text: string;
  url: string | null;
  postedAt: Timestamp;
  /** the source's claimed time when ingest did not believe it (posted_at then holds the receipt time) */
  claimedPostedAt: Generated<string | null>;
  raw: Json | null;
  deliveryState: DeliveryState | null;
  deliveryError: string | null;
  deliveryAttempts: Generated<number>;
  deliveredAt: Date | null;
  createdAt: Generated<Date>;
  // service level: the post's clock
  slaPolicyId: Generated<string | null>;
  slaKind: Generated<SlaKind | null>;
  slaDueAt: Generated<Date | null>;
  slaWarnAt: Generated<Date | null>;
  slaState: Generated<SlaState | null>;
  respondedAt: Generated<Date | null>;
  responseMessageId: Generated<string | null>;
  businessMinutesToRespond: Generated<number | null>;
  wallMinutesToRespond: Generated<number | null>;
  breachedAt: Generated<Date | null>;
  breachResponsibleUserId: Generated<string | null>;
  breachReason: Generated<string | null>;
  // the conversation's topic, copied onto inbound posts by a trigger
  topicId: Generated<string | null>;
  // the remote side's receipt for an outbound message (WhatsApp statuses)
  remoteStatus: Generated<RemoteStatus | null>;
  remoteStatusAt: Generated<Date | null>;
  // when the post's SLA clock stopped because its conversation was saved (null = running)
  slaPausedAt: Generated<Date | null>;
  // 017: the customer edited or removed the post on the channel; an agent hid or deleted it there
  remoteEditedAt: Generated<Date | null>;
  remoteRemovedAt: Generated<Date | null>;
  moderation: Generated<Moderation | null>;
  // 021_monitoring: detected language and sentiment (an agent's override keeps the detected label)
  language: Generated<string | null>;
  sentimentLabel: Generated<SentimentLabel | null>;
  sentimentScore: Generated<number | null>;
  sentimentDetected: Generated<SentimentLabel | null>;
  sentimentOverriddenBy: Generated<string | null>;
  sentimentOverriddenAt: Generated<Date | null>;
  // 034: this reply carried the case-number footer (its text ends with it); a failure's reason as a message key
  caseFooter: Generated<boolean>;
  deliveryErrorKey: Generated<string | null>;
  // 033_bot_first: an outbound message no user wrote ('bot': an automatic reply, never a response for the SLA)
  authorKind: Generated<'bot' | null>;
}

export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export type RemoteStatus = 'sent' | 'delivered' | 'read' | 'failed';
/** 017: what an agent did to an inbound comment on the channel. */
export type Moderation = 'hidden' | 'deleted';
export interface WebhookInboxTable {
  id: Generated<string>;
  kind: 'whatsapp' | 'meta' | 'x';
  channelId: string;
  payload: Json;
  receivedAt: Generated<Date>;
  processedAt: Date | null;
  attempts: Generated<number>;
  lastError: string | null;
  /** 017: the delivery's body hash; a retry of the same delivery is not stored twice (Meta webhook). */
  bodySha256: Generated<string | null>;
  /** 023: how many events the delivery held for the channel (X bills per event). */
  events: Generated<number>;
}

export interface AuditEventsTable {
  seq: Generated<string>;
  occurredAt: Generated<Date>;
  actorType: ActorType;
  actorId: string | null;
  actorLabel: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  channelId: string | null;
  before: Json | null;
  after: Json | null;
  ip: string | null;
  prevHash: Generated<string>;
  hash: Generated<string>;
}

// Case work: teams, tags, mentions, canned responses, saved views.
export type Priority = 'low' | 'normal' | 'high' | 'urgent';

export interface TeamsTable {
  id: Generated<string>;
  name: string;
  createdAt: Generated<Date>;
  /** 022_team_capacity: default slots per channel class for members without their own */
  defaultCapacity: Json;
}
export interface TeamMembersTable {
  teamId: string;
  userId: string;
}
export interface TagsTable {
  name: string;
  createdAt: Generated<Date>;
}
export interface ConversationTagsTable {
  conversationId: string;
  tag: string;
  createdAt: Generated<Date>;
}
export interface NotificationsTable {
  id: Generated<string>;
  userId: string;
  kind: 'mention' | 'audit_break' | 'alert' | 'reply_rejected' | 'task_overdue';
  conversationId: string | null;
  messageId: string | null;
  actorName: string;
  createdAt: Generated<Date>;
  readAt: Date | null;
  // 016_audit_oversight: the verification that found a broken audit chain
  auditVerificationId: Generated<string | null>;
  // 021_monitoring: the alert a console notification stands for
  alertId: Generated<string | null>;
  // 024_case_tasks: the overdue task a notification is about
  taskId: Generated<string | null>;
}
export interface CannedResponsesTable {
  id: Generated<string>;
  title: string;
  shortcut: string;
  body: string;
  language: Locale;
  channelKinds: ColumnType<ChannelKind[], ChannelKind[] | undefined, ChannelKind[]>;
  usageCount: Generated<number>;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
  // 016_audit_oversight: retired (soft-deleted): kept for history, offered for nothing new
  retiredAt: Generated<Date | null>;
}
export interface SavedViewsTable {
  id: Generated<string>;
  userId: string;
  name: string;
  query: string;
  createdAt: Generated<Date>;
}

export type SlaKind = 'first' | 'next';
export type SlaState = 'ok' | 'warning' | 'breached' | 'met';

export interface CalendarsTable {
  id: Generated<string>;
  name: string;
  definition: Json;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
  // 016_audit_oversight: retired (soft-deleted): kept for history, offered for nothing new
  retiredAt: Generated<Date | null>;
}

export interface SlaPoliciesTable {
  id: Generated<string>;
  name: string;
  calendarId: string | null;
  firstResponseMinutes: number;
  nextResponseMinutes: number;
  resolutionMinutes: number | null;
  warnAtPercent: number;
  pauseWhenSaved: Generated<boolean>;
  botsCountAsResponse: Generated<boolean>;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
  // 016_audit_oversight: retired (soft-deleted): kept for history, offered for nothing new
  retiredAt: Generated<Date | null>;
}

export interface TopicsTable {
  id: Generated<string>;
  channelId: string;
  name: string;
  query: Generated<string>;
  slaPolicyId: string | null;
  settings: Generated<Json>;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
  // where this tracked search continues; removed searches keep their conversations
  cursor: Generated<string | null>;
  removedAt: Generated<Date | null>;
}

export interface Database {
  users: UsersTable;
  apiTokens: ApiTokensTable;
  channels: ChannelsTable;
  contacts: ContactsTable;
  contactIdentities: ContactIdentitiesTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  messageAttachments: MessageAttachmentsTable;
  auditEvents: AuditEventsTable;
  calendars: CalendarsTable;
  slaPolicies: SlaPoliciesTable;
  topics: TopicsTable;
  teams: TeamsTable;
  teamMembers: TeamMembersTable;
  tags: TagsTable;
  conversationTags: ConversationTagsTable;
  notifications: NotificationsTable;
  cannedResponses: CannedResponsesTable;
  savedViews: SavedViewsTable;
  webhookInbox: WebhookInboxTable;
  // 012_outbound_safety
  apiIdempotencyKeys: ApiIdempotencyKeysTable;
  // 015_user_administration
  passwordLinks: PasswordLinksTable;
  // 016_audit_oversight
  auditVerifications: AuditVerificationsTable;
  // 014_routing
  agentProfiles: AgentProfilesTable;
  absences: AbsencesTable;
  // 018_inbox_workspace
  conversationReads: ConversationReadsTable;
  // 021_monitoring
  listeningQueries: ListeningQueriesTable;
  listeningMatches: ListeningMatchesTable;
  alertRules: AlertRulesTable;
  alerts: AlertsTable;
  alertDeliveries: AlertDeliveriesTable;
  pushSubscriptions: PushSubscriptionsTable;
  alertSettings: AlertSettingsTable;
  // 028_alert_kinds_and_report_mail
  reportSubscriptions: ReportSubscriptionsTable;
  // 020_contacts_and_privacy
  contactMerges: ContactMergesTable;
  auditPersonalValues: AuditPersonalValuesTable;
  // 025_reply_approval
  replyApprovals: ReplyApprovalsTable;
  // 024_case_tasks
  conversationTasks: ConversationTasksTable;
  taskDependencies: TaskDependenciesTable;
  // 029_web_chat
  chatSites: ChatSitesTable;
  chatSessions: ChatSessionsTable;
  chatInvitations: ChatInvitationsTable;
  // 032_knowledge_base
  knowledgeArticles: KnowledgeArticlesTable;
  knowledgeArticleUsage: KnowledgeArticleUsageTable;
  // 033_bot_first
  botOffers: BotOffersTable;
  conversationBots: ConversationBotsTable;
  // 035_callbacks
  callbackRequests: CallbackRequestsTable;
  callbackAttempts: CallbackAttemptsTable;
}

/** 029_web_chat: the website face of one webchat channel (queue, hours and SLA stay on the channel). */
export type PrechatField = 'off' | 'optional' | 'required';
export type ChatSiteTexts = Partial<Record<Locale, { title?: string; greeting?: string; offline?: string; consent?: string }>>;
export type InvitationRule = { urlPattern: string; afterSeconds: number };
export type BotDisclosure = Partial<Record<Locale, string>>;
export interface ChatSitesTable {
  id: Generated<string>;
  channelId: string;
  name: string;
  allowedOrigins: ColumnType<string[], string[] | undefined, string[]>;
  texts: Json;
  colour: Generated<string>;
  prechatName: Generated<PrechatField>;
  prechatEmail: Generated<PrechatField>;
  invitationRules: Json;
  maxWaitSeconds: Generated<number>;
  targetSeconds: Generated<number>;
  targetPercent: Generated<number>;
  inactivityMinutes: Generated<number>;
  /** 035_callbacks: a callback is due within this many business minutes */
  callbackMinutes: Generated<number>;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
  // 033_bot_first
  botEnabled: Generated<boolean>;
  botMaxTurns: Generated<number>;
  botDisclosure: Json;
}

/** 029_web_chat: one chat's visitor and life (offered → accepted → ended; ended unaccepted = abandoned). */
export type ChatEndReason = 'agent' | 'customer' | 'inactivity' | 'self_served';
/** 033_bot_first: the bot's hold on a chat, and why it handed a chat to a person. */
export type BotState = 'holding' | 'self_served' | 'handed_over';
export type BotHandoverReason = 'asked' | 'not_helped' | 'max_turns' | 'no_match' | 'taken';
export interface ChatSessionsTable {
  conversationId: string;
  siteId: string;
  visitorTokenHash: string;
  visitorId: string;
  pageUrl: string | null;
  prechatName: string | null;
  prechatEmail: string | null;
  consentAt: Date | null;
  language: Generated<Locale>;
  startedAt: Generated<Date>;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  endedAt: Date | null;
  endReason: ChatEndReason | null;
  lastVisitorAt: Generated<Date>;
  visitorReadAt: Date | null;
  // 033_bot_first
  botState: BotState | null;
  botTurns: Generated<number>;
  botHandoverReason: BotHandoverReason | null;
  botDoneAt: Date | null;
}

/** 036_channel_bot: the bot's hold on a conversation of a messaging channel. */
export interface ConversationBotsTable {
  conversationId: string;
  channelId: string;
  language: Locale;
  state: BotState;
  turns: Generated<number>;
  handoverReason: BotHandoverReason | null;
  startedAt: Date;
  doneAt: Date | null;
}

/** 033_bot_first: an article a bot message offered, and the visitor's answer to that offer. */
export type BotOfferOutcome = 'helped' | 'not_helped';
export interface BotOffersTable {
  messageId: string;
  articleId: string;
  conversationId: string;
  position: number;
  offeredAt: Date;
  outcome: BotOfferOutcome | null;
}

/** 029_web_chat: a proactive invitation holding one free chat slot until it expires or is used. */
export interface ChatInvitationsTable {
  id: Generated<string>;
  siteId: string;
  visitorId: string;
  createdAt: Generated<Date>;
  expiresAt: Date;
  usedAt: Date | null;
}

/** 024_case_tasks: one step of a multi-step case, for one person or one team. */
export type TaskState = 'open' | 'done';
export interface ConversationTasksTable {
  id: Generated<string>;
  conversationId: string;
  number: number;
  title: string;
  assigneeId: string | null;
  teamId: string | null;
  dueAt: Date | null;
  state: Generated<TaskState>;
  createdBy: string;
  createdAt: Generated<Date>;
  completedBy: string | null;
  completedAt: Date | null;
  overdueNotifiedAt: Generated<Date | null>;
}
export interface TaskDependenciesTable {
  taskId: string;
  dependsOnId: string;
}

/** 025_reply_approval: a reply that waits (or waited) for an approver, who asked, who decided and why. */
export type ApprovalState = 'pending' | 'approved' | 'rejected';
export interface ReplyApprovalsTable {
  messageId: string;
  requestedBy: string;
  requestedAt: Generated<Date>;
  state: Generated<ApprovalState>;
  decidedBy: string | null;
  decidedAt: Date | null;
  note: string | null;
}

/** 012_outbound_safety: Idempotency-Key of API requests, per user, with the first answer. */
export interface ApiIdempotencyKeysTable {
  userId: string;
  key: string;
  requestHash: string;
  responseStatus: number | null;
  responseBody: Json | null;
  createdAt: Generated<Date>;
}

/** 018_inbox_workspace: the last activity of a conversation each user has seen (unread while it is older). */
export interface ConversationReadsTable {
  userId: string;
  conversationId: string;
  readAt: Date;
}

export type Channel = Selectable<ChannelsTable>;
export type Conversation = Selectable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
export type AuditEvent = Selectable<AuditEventsTable>;

/** 015_user_administration: an invitation or password-reset link; only the token's hash is kept. */
export type PasswordLinkPurpose = 'invitation' | 'reset';
export interface PasswordLinksTable {
  id: Generated<string>;
  userId: string;
  purpose: PasswordLinkPurpose;
  tokenHash: string;
  createdBy: string | null;
  createdAt: Generated<Date>;
  expiresAt: Date;
  usedAt: Generated<Date | null>;
  revokedAt: Generated<Date | null>;
}
/** 016_audit_oversight: one audit chain verification run (incremental from a checkpoint, or full). */
export interface AuditVerificationsTable {
  id: Generated<string>;
  mode: 'incremental' | 'full';
  trigger: 'schedule' | 'on_demand' | 'cli';
  requestedBy: string | null;
  startedAt: Date;
  finishedAt: Generated<Date>;
  fromSeq: string;
  throughSeq: string;
  throughHash: string | null;
  eventsChecked: string;
  ok: boolean;
  brokenAtSeq: string | null;
  problem: string | null;
}
export type AuditVerification = Selectable<AuditVerificationsTable>;
// 014_routing: availability, skills, capacity and absences of agents
export type RoutingMode = 'manual' | 'auto' | 'pull';
export type AwayReason = 'break' | 'meeting' | 'training' | 'back_office';
export type AbsenceReason = 'vacation' | 'sick' | 'other';

export interface AgentProfilesTable {
  userId: string;
  availability: Generated<'online' | 'away' | 'offline'>;
  awayReason: Generated<AwayReason | null>;
  availabilityChangedAt: Generated<Date>;
  idleSince: Generated<Date>;
  consoleSeenAt: Generated<Date | null>;
  skills: Json;
  capacity: Json;
}

export interface AbsencesTable {
  id: Generated<string>;
  userId: string;
  startsAt: Timestamp;
  endsAt: Timestamp;
  reason: AbsenceReason;
  deputyId: string | null;
  createdBy: string;
  createdAt: Generated<Date>;
  handedBackAt: Generated<Date | null>;
  cancelledAt: Generated<Date | null>;
}

/** 021_monitoring: a listening query and what a match does ({} = only count). */
export interface ListeningQueriesTable {
  id: Generated<string>;
  name: string;
  query: string;
  actions: ColumnType<ListeningActions, string, string>;
  active: Generated<boolean>;
  createdBy: string;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
}
export type ListeningActions = { tag?: string; topicId?: string; priority?: Priority };

export interface ListeningMatchesTable {
  queryId: string;
  messageId: string;
  conversationId: string;
  channelId: string;
  postedAt: Date;
  negative: boolean;
}

export type AlertKind = 'volume_spike' | 'negative_dip' | 'sla_warning' | 'sla_breach' | 'channel_failure' | 'audit_break';
export type AlertPath = 'console' | 'email' | 'push';
export interface AlertRulesTable {
  id: Generated<string>;
  kind: AlertKind;
  scope: ColumnType<Record<string, string>, string, string>;
  params: ColumnType<Record<string, number>, string, string>;
  channels: ColumnType<AlertPath[], AlertPath[], AlertPath[]>;
  active: Generated<boolean>;
  createdBy: string;
  createdAt: Generated<Date>;
  // 028: a deleted rule stops watching and leaves the list; its alerts stay
  deletedAt: Generated<Date | null>;
}

export type ReportFrequency = 'daily' | 'weekly' | 'monthly';

/** 028: a person's scheduled report e-mail. */
export interface ReportSubscriptionsTable {
  id: Generated<string>;
  userId: string;
  frequency: ReportFrequency;
  timeZone: string;
  sendHour: Generated<number>;
  lastPeriod: string | null;
  lastError: string | null;
  createdAt: Generated<Date>;
}

export interface AlertsTable {
  id: Generated<string>;
  ruleId: string;
  subjectKey: string;
  state: Generated<'open' | 'acknowledged'>;
  details: ColumnType<Record<string, string | number | null>, string, string>;
  link: string;
  occurrences: Generated<number>;
  firstAt: Generated<Date>;
  lastAt: Generated<Date>;
  notifiedAt: Generated<Date>;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
}

export interface AlertDeliveriesTable {
  alertId: string;
  userId: string;
  channel: AlertPath;
  state: Generated<'pending' | 'sent' | 'failed'>;
  error: string | null;
  createdAt: Generated<Date>;
  sentAt: Date | null;
}

export interface PushSubscriptionsTable {
  id: Generated<string>;
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  createdAt: Generated<Date>;
}

export interface AlertSettingsTable {
  id: Generated<boolean>;
  smtpHost: string | null;
  smtpPort: number | null;
  smtpSecure: Generated<boolean>;
  smtpUser: string | null;
  smtpPasswordEnc: string | null;
  mailFrom: string | null;
  vapidPublicKey: string | null;
  vapidPrivateEnc: string | null;
  vapidSubject: string | null;
  updatedAt: Generated<Date>;
}

/** 020_contacts_and_privacy: one merge of two contacts, with what moved (so it can be undone). */
export interface ContactMergesTable {
  id: Generated<string>;
  keptContactId: string;
  mergedContactId: string;
  identityIds: string[];
  conversationIds: string[];
  mergedBy: string;
  mergedAt: Generated<Date>;
  undoneAt: Date | null;
}

/** 020: a personal value an audit event names by reference; value and key are dropped on erasure. */
export interface AuditPersonalValuesTable {
  id: Generated<string>;
  contactId: string;
  digest: string;
  key: Buffer | null;
  value: string | null;
  createdAt: Generated<Date>;
  erasedAt: Date | null;
}

/** 032_knowledge_base: a help article (Markdown), searchable with the stemming of its language, counted on the help pages. */
export type ArticleState = 'draft' | 'published';
export interface KnowledgeArticlesTable {
  id: Generated<string>;
  title: string;
  body: string;
  topic: string | null;
  language: Locale;
  state: Generated<ArticleState>;
  /** generated by PostgreSQL from title and body; never written */
  search: ColumnType<string, never, never>;
  views: Generated<number>;
  helpful: Generated<number>;
  notHelpful: Generated<number>;
  createdBy: string | null;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
  publishedAt: Date | null;
}

/** 032_knowledge_base: a visitor (keyed hash of IP, user agent and day) already counted for an article today. */
export type ArticleUsageKind = 'view' | 'vote';
export interface KnowledgeArticleUsageTable {
  articleId: string;
  kind: ArticleUsageKind;
  visitorHash: string;
  day: Generated<Date>;
}

/** 035_callbacks: a visitor's callback request (a case of its own) and the agents' call attempts on it. */
export type CallbackOutcome = 'reached' | 'not_reached' | 'wrong_number';
export interface CallbackRequestsTable {
  conversationId: string;
  siteId: string;
  messageId: string;
  phone: string | null;
  name: string | null;
  windowStart: Date;
  windowEnd: Date;
  timeZone: string;
  language: Locale;
  requestedAt: Date;
  consentAt: Date;
  dueAt: Date;
}
export interface CallbackAttemptsTable {
  id: Generated<string>;
  conversationId: string;
  outcome: CallbackOutcome;
  userId: string;
  at: Date;
  note: string | null;
  nextDueAt: Date | null;
}
