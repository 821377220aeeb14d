-- Foundation schema: users, channels, contacts, conversations, messages and the append-only audit trail.

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL UNIQUE,
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('agent', 'manager', 'auditor', 'admin')),
  password_hash text NOT NULL,
  locale        text NOT NULL DEFAULT 'de' CHECK (locale IN ('de', 'en')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users(id),
  token_hash   text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);

CREATE TABLE channels (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind               text NOT NULL CHECK (kind IN ('api', 'x', 'whatsapp', 'telegram', 'email', 'webchat')),
  name               text NOT NULL,
  ingest_token_hash  text UNIQUE,
  webhook_url        text,
  credentials_enc    text,
  settings           jsonb NOT NULL DEFAULT '{}',
  created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contacts (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contact_identities (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id  uuid NOT NULL REFERENCES contacts(id),
  channel_id  uuid NOT NULL REFERENCES channels(id),
  external_id text NOT NULL,
  handle      text,
  name        text NOT NULL,
  UNIQUE (channel_id, external_id)
);

CREATE SEQUENCE case_number_seq START 1000;

CREATE TABLE conversations (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_number     bigint NOT NULL UNIQUE DEFAULT nextval('case_number_seq'),
  channel_id      uuid NOT NULL REFERENCES channels(id),
  contact_id      uuid NOT NULL REFERENCES contacts(id),
  status          text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'saved', 'assigned', 'answered', 'closed')),
  assignee_id     uuid REFERENCES users(id),
  last_message_at timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_last_message_idx ON conversations (last_message_at DESC, id);
CREATE INDEX conversations_channel_status_idx ON conversations (channel_id, status, last_message_at DESC);
CREATE INDEX conversations_assignee_idx ON conversations (assignee_id, last_message_at DESC);
CREATE INDEX conversations_contact_idx ON conversations (contact_id, channel_id, last_message_at DESC);

CREATE TABLE messages (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id    uuid NOT NULL REFERENCES conversations(id),
  channel_id         uuid NOT NULL REFERENCES channels(id),
  direction          text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'note')),
  external_id        text,
  in_reply_to_external_id text,
  author_name        text NOT NULL,
  author_handle      text,
  author_user_id     uuid REFERENCES users(id),
  text               text NOT NULL,
  url                text,
  posted_at          timestamptz NOT NULL,
  raw                jsonb,
  delivery_state     text CHECK (delivery_state IN ('queued', 'sending', 'sent', 'failed')),
  delivery_error     text,
  delivery_attempts  integer NOT NULL DEFAULT 0,
  delivered_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel_id, external_id)
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, posted_at, id);
CREATE INDEX messages_pending_delivery_idx ON messages (delivery_state) WHERE delivery_state IN ('queued', 'sending');

-- Sessions for express-session (connect-pg-simple's layout).
CREATE TABLE user_sessions (
  sid    varchar NOT NULL PRIMARY KEY,
  sess   json NOT NULL,
  expire timestamp(6) NOT NULL
);
CREATE INDEX user_sessions_expire_idx ON user_sessions (expire);

-- The audit trail: append-only and hash-chained. Each row's hash covers its content and its
-- predecessor's hash; seq is gap-free because the trigger assigns it under a lock.
CREATE TABLE audit_events (
  seq          bigint PRIMARY KEY,
  occurred_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_type   text NOT NULL CHECK (actor_type IN ('user', 'system', 'api_channel')),
  actor_id     text,
  actor_label  text NOT NULL,
  action       text NOT NULL,
  subject_type text NOT NULL,
  subject_id   text,
  channel_id   uuid,
  before       jsonb,
  after        jsonb,
  ip           text,
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE INDEX audit_events_subject_idx ON audit_events (subject_id, seq);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, seq);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at, seq);

CREATE FUNCTION audit_row_hash(e audit_events) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws('|',
    e.seq::text, e.prev_hash, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    e.actor_type, coalesce(e.actor_id, ''), e.actor_label, e.action, e.subject_type,
    coalesce(e.subject_id, ''), coalesce(e.channel_id::text, ''),
    coalesce(e.before::text, ''), coalesce(e.after::text, ''), coalesce(e.ip, '')), 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last audit_events;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('audit_events_chain'));
  SELECT * INTO last FROM audit_events ORDER BY seq DESC LIMIT 1;
  NEW.seq := coalesce(last.seq, 0) + 1;
  NEW.prev_hash := coalesce(last.hash, 'genesis');
  NEW.occurred_at := clock_timestamp();
  NEW.hash := audit_row_hash(NEW);
  RETURN NEW;
END $$;

CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_chain();

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END $$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
