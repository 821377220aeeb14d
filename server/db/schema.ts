/** Table types for the typed query layer (columns in camelCase; CamelCasePlugin maps them to snake_case). */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type Role = 'agent' | 'manager' | 'auditor' | 'admin';
export type Locale = 'de' | 'en';
export type ChannelKind = 'api' | 'x' | 'whatsapp' | 'telegram' | 'email' | 'webchat';
export type ConversationStatus = 'new' | 'saved' | 'assigned' | 'answered' | 'closed';
export type Direction = 'inbound' | 'outbound' | 'note';
export type DeliveryState = 'queued' | 'sending' | 'sent' | 'failed';
export type ActorType = 'user' | 'system' | 'api_channel';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | undefined, string>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  locale: Generated<Locale>;
  createdAt: Generated<Date>;
}

export interface ApiTokensTable {
  id: Generated<string>;
  userId: string;
  tokenHash: string;
  createdAt: Generated<Date>;
  lastUsedAt: Date | null;
}

export interface ChannelsTable {
  id: Generated<string>;
  kind: ChannelKind;
  name: string;
  ingestTokenHash: string | null;
  webhookUrl: string | null;
  credentialsEnc: string | null;
  settings: Generated<Json>;
  createdAt: Generated<Date>;
}

export interface ContactsTable {
  id: Generated<string>;
  name: string;
  createdAt: Generated<Date>;
}

export interface ContactIdentitiesTable {
  id: Generated<string>;
  contactId: string;
  channelId: string;
  externalId: string;
  handle: string | null;
  name: string;
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
  raw: Json | null;
  deliveryState: DeliveryState | null;
  deliveryError: string | null;
  deliveryAttempts: Generated<number>;
  deliveredAt: Date | null;
  createdAt: Generated<Date>;
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

export interface Database {
  users: UsersTable;
  apiTokens: ApiTokensTable;
  channels: ChannelsTable;
  contacts: ContactsTable;
  contactIdentities: ContactIdentitiesTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  auditEvents: AuditEventsTable;
}

export type User = Selectable<UsersTable>;
export type Channel = Selectable<ChannelsTable>;
export type Conversation = Selectable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
export type AuditEvent = Selectable<AuditEventsTable>;
