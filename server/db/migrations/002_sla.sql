-- Service levels: business-hours calendars, SLA policies, tracked topics, and the timing of every inbound post.

CREATE TABLE calendars (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  -- {name, timeZone, weekly, holidays, closures, extraOpenings}, validated by server/domain/sla/calendar.ts
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sla_policies (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                    text NOT NULL,
  calendar_id             uuid REFERENCES calendars(id),            -- null = 24/7
  first_response_minutes  integer NOT NULL CHECK (first_response_minutes > 0),
  next_response_minutes   integer NOT NULL CHECK (next_response_minutes > 0),
  resolution_minutes      integer CHECK (resolution_minutes > 0),   -- null = no resolution target
  warn_at_percent         integer NOT NULL DEFAULT 80 CHECK (warn_at_percent BETWEEN 1 AND 99),
  pause_when_saved        boolean NOT NULL DEFAULT false,
  bots_count_as_response  boolean NOT NULL DEFAULT false,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now()
);

-- A tracked search / topic on a channel (keywords, hashtags). Posts it brings carry it; its policy wins.
CREATE TABLE topics (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel_id     uuid NOT NULL REFERENCES channels(id),
  name           text NOT NULL,
  query          text NOT NULL DEFAULT '',
  sla_policy_id  uuid REFERENCES sla_policies(id),
  settings       jsonb NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX topics_channel_idx ON topics (channel_id);

ALTER TABLE channels
  ADD COLUMN calendar_id   uuid REFERENCES calendars(id),
  ADD COLUMN sla_policy_id uuid REFERENCES sla_policies(id);

ALTER TABLE conversations
  ADD COLUMN topic_id                   uuid REFERENCES topics(id),
  ADD COLUMN sla_policy_id              uuid REFERENCES sla_policies(id),
  ADD COLUMN first_response_due_at      timestamptz,
  ADD COLUMN next_response_due_at       timestamptz,  -- earliest due of awaiting "next response" posts
  ADD COLUMN resolution_due_at          timestamptz,
  ADD COLUMN response_due_at            timestamptz;  -- earliest due of all awaiting posts: the "due soonest" key
CREATE INDEX conversations_response_due_idx ON conversations (response_due_at NULLS LAST, id);

-- Per inbound post: its clock. sla_due_at is null for posts without a policy (and for outbound/notes).
ALTER TABLE messages
  ADD COLUMN sla_policy_id               uuid REFERENCES sla_policies(id),
  ADD COLUMN sla_kind                    text CHECK (sla_kind IN ('first', 'next')),
  ADD COLUMN sla_due_at                  timestamptz,
  ADD COLUMN sla_warn_at                 timestamptz,
  ADD COLUMN sla_state                   text CHECK (sla_state IN ('ok', 'warning', 'breached', 'met')),
  ADD COLUMN responded_at                timestamptz,
  ADD COLUMN response_message_id         uuid REFERENCES messages(id),
  ADD COLUMN business_minutes_to_respond double precision,
  ADD COLUMN wall_minutes_to_respond     double precision,
  ADD COLUMN breached_at                 timestamptz,
  ADD COLUMN breach_responsible_user_id  uuid REFERENCES users(id),
  ADD COLUMN breach_reason               text;
-- Posts still awaiting an answer: stopping the clock on reply, and the reconciler's timer scan.
CREATE INDEX messages_sla_awaiting_idx ON messages (conversation_id, sla_due_at)
  WHERE sla_due_at IS NOT NULL AND responded_at IS NULL;
CREATE INDEX messages_sla_timers_idx ON messages (sla_due_at)
  WHERE sla_due_at IS NOT NULL AND responded_at IS NULL AND sla_state IN ('ok', 'warning');
-- Reports: breaches per responsible user and time.
CREATE INDEX messages_sla_breached_idx ON messages (breach_responsible_user_id, sla_due_at) WHERE sla_state = 'breached';
