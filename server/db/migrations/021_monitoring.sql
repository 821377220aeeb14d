-- Monitoring: language and sentiment of every inbound post, listening queries and their matches,
-- alert rules and alerts (delivered in the console, by e-mail and by Web Push), push subscriptions.

-- Per inbound post: detected language (ISO 639-1) and sentiment; an agent's override keeps the detected
-- label beside it, so disagreements can be counted.
ALTER TABLE messages
  ADD COLUMN language                text CHECK (language ~ '^[a-z]{2}$'),
  ADD COLUMN sentiment_label         text CHECK (sentiment_label IN ('positive', 'neutral', 'negative')),
  ADD COLUMN sentiment_score         real,
  ADD COLUMN sentiment_detected      text CHECK (sentiment_detected IN ('positive', 'neutral', 'negative')),
  ADD COLUMN sentiment_overridden_by uuid REFERENCES users(id),
  ADD COLUMN sentiment_overridden_at timestamptz;
CREATE INDEX messages_sentiment_overridden_idx ON messages (sentiment_overridden_at) WHERE sentiment_overridden_by IS NOT NULL;

-- The conversation's language (the first one known: the source's, else the detected one; routing
-- matches skills against it) and the sentiment of its latest inbound post (the inbox filters by both).
ALTER TABLE conversations ADD COLUMN IF NOT EXISTS language text CHECK (language ~ '^[a-z]{2}$');
ALTER TABLE conversations ADD COLUMN sentiment_label text CHECK (sentiment_label IN ('positive', 'neutral', 'negative'));
CREATE INDEX conversations_sentiment_idx ON conversations (sentiment_label, last_message_at DESC) WHERE sentiment_label IS NOT NULL;
CREATE INDEX conversations_language_idx ON conversations (language, last_message_at DESC) WHERE language IS NOT NULL;

-- A boolean query over every inbound post (server/domain/listening/queryLanguage.ts), with what a match does.
CREATE TABLE listening_queries (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  query       text NOT NULL CHECK (length(query) BETWEEN 1 AND 2000),
  -- {tag?, topicId?, priority?}; {} = only count
  actions     jsonb NOT NULL DEFAULT '{}',
  active      boolean NOT NULL DEFAULT true,
  created_by  uuid NOT NULL REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per post a query matched (on ingest, or by a backfill); the dashboard and spike alerts count these.
CREATE TABLE listening_matches (
  query_id        uuid NOT NULL REFERENCES listening_queries(id),
  message_id      uuid NOT NULL REFERENCES messages(id),
  conversation_id uuid NOT NULL REFERENCES conversations(id),
  channel_id      uuid NOT NULL REFERENCES channels(id),
  posted_at       timestamptz NOT NULL,
  negative        boolean NOT NULL,
  PRIMARY KEY (query_id, message_id)
);
CREATE INDEX listening_matches_time_idx ON listening_matches (query_id, posted_at);

-- A rule that watches for something and raises alerts (server/domain/alerts/).
CREATE TABLE alert_rules (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind        text NOT NULL CHECK (kind IN ('volume_spike', 'negative_dip', 'sla_warning', 'sla_breach', 'channel_failure', 'audit_break')),
  -- what it watches: {queryId?, channelId?, topicId?, teamId?}
  scope       jsonb NOT NULL DEFAULT '{}',
  -- kind-specific thresholds: windowMinutes, sensitivity, cooldownMinutes, minCount, negativeShare, silentMinutes
  params      jsonb NOT NULL DEFAULT '{}',
  channels    text[] NOT NULL CHECK (channels <@ ARRAY['console', 'email', 'push']::text[] AND cardinality(channels) > 0),
  active      boolean NOT NULL DEFAULT true,
  created_by  uuid NOT NULL REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A rule's finding. Repeats of the same finding (same rule and subject) while it is open are bundled
-- into it (occurrences + last_at) instead of raising a new alert.
CREATE TABLE alerts (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  rule_id         uuid NOT NULL REFERENCES alert_rules(id),
  subject_key     text NOT NULL,
  state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged')),
  -- what happened, for the texts: {count, baseline, caseNumber, conversationId, channelName, …}
  details         jsonb NOT NULL,
  -- where the posts behind it are (a console path)
  link            text NOT NULL,
  occurrences     integer NOT NULL DEFAULT 1,
  first_at        timestamptz NOT NULL DEFAULT now(),
  last_at         timestamptz NOT NULL DEFAULT now(),
  -- when people were last told (repeats inside the rule's cooldown are bundled without telling again)
  notified_at     timestamptz NOT NULL DEFAULT now(),
  acknowledged_by uuid REFERENCES users(id),
  acknowledged_at timestamptz,
  CHECK ((state = 'acknowledged') = (acknowledged_at IS NOT NULL))
);
CREATE UNIQUE INDEX alerts_open_subject_idx ON alerts (rule_id, subject_key) WHERE state = 'open';
CREATE INDEX alerts_rule_time_idx ON alerts (rule_id, first_at DESC);

-- Each delivery of an alert to one person on one path (console, email, push), with its outcome.
CREATE TABLE alert_deliveries (
  alert_id    uuid NOT NULL REFERENCES alerts(id),
  user_id     uuid NOT NULL REFERENCES users(id),
  channel     text NOT NULL CHECK (channel IN ('console', 'email', 'push')),
  state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  error       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  PRIMARY KEY (alert_id, user_id, channel)
);

-- A browser that opted in to Web Push (the subscription's endpoint and keys).
CREATE TABLE push_subscriptions (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users(id),
  endpoint    text NOT NULL UNIQUE CHECK (length(endpoint) <= 2000),
  p256dh      text NOT NULL,
  auth        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- How alerts leave the console: the SMTP server for e-mail and the VAPID key pair for Web Push (one row).
CREATE TABLE alert_settings (
  id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
  smtp_host          text,
  smtp_port          integer CHECK (smtp_port BETWEEN 1 AND 65535),
  smtp_secure        boolean NOT NULL DEFAULT false,
  smtp_user          text,
  smtp_password_enc  text,
  mail_from          text,
  vapid_public_key   text,
  vapid_private_enc  text,
  vapid_subject      text,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Alerts in the console are notifications ('audit_break' is the audit verification's own kind).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention', 'audit_break', 'alert'));
ALTER TABLE notifications ADD COLUMN alert_id uuid REFERENCES alerts(id);
