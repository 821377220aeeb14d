-- Case workflow: teams, assignment to teams, reminders, close reasons, priority, tags, internal-note
-- mentions (notifications), canned responses, saved views, full-text search over messages, and the
-- indexes the audit screens filter by.

CREATE TABLE teams (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_members (
  team_id uuid NOT NULL REFERENCES teams(id),
  user_id uuid NOT NULL REFERENCES users(id),
  PRIMARY KEY (team_id, user_id)
);

ALTER TABLE conversations
  ADD COLUMN team_id      uuid REFERENCES teams(id),
  ADD COLUMN remind_at    timestamptz,
  ADD COLUMN close_reason text,
  ADD COLUMN priority     text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent'));
CREATE INDEX conversations_team_idx ON conversations (team_id, last_message_at DESC);
CREATE INDEX conversations_remind_idx ON conversations (remind_at) WHERE remind_at IS NOT NULL;

-- Predefined tags (offered in pickers); conversations may also carry free tags not listed here.
CREATE TABLE tags (
  name       text PRIMARY KEY CHECK (name = lower(name) AND length(name) BETWEEN 1 AND 40),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conversation_tags (
  conversation_id uuid NOT NULL REFERENCES conversations(id),
  tag             text NOT NULL CHECK (tag = lower(tag) AND length(tag) BETWEEN 1 AND 40),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX conversation_tags_tag_idx ON conversation_tags (tag, conversation_id);

CREATE TABLE notifications (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id         uuid NOT NULL REFERENCES users(id),
  kind            text NOT NULL CHECK (kind IN ('mention')),
  conversation_id uuid REFERENCES conversations(id),
  message_id      uuid REFERENCES messages(id),
  actor_name      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  read_at         timestamptz
);
CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;

CREATE TABLE canned_responses (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title         text NOT NULL,
  shortcut      text NOT NULL UNIQUE CHECK (shortcut ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  body          text NOT NULL,
  language      text NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en')),
  channel_kinds text[] NOT NULL DEFAULT '{}',
  usage_count   integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE saved_views (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid NOT NULL REFERENCES users(id),
  name       text NOT NULL,
  query      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, name)
);

-- German and English stemming side by side: "Bestellungen" finds "Bestellung", "orders" finds "order".
ALTER TABLE messages ADD COLUMN search_tsv tsvector
  GENERATED ALWAYS AS (to_tsvector('german', text) || to_tsvector('english', text)) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (search_tsv);

CREATE INDEX audit_events_action_idx ON audit_events (action, seq);
CREATE INDEX audit_events_channel_idx ON audit_events (channel_id, seq);
CREATE INDEX audit_events_subject_type_idx ON audit_events (subject_type, seq);
