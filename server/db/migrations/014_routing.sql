-- Routing: agents' availability (online / away with a reason / offline), skills and slots per channel class;
-- absences (vacation, sick) with a deputy; each channel's routing mode; and why a conversation went to whom.

CREATE TABLE agent_profiles (
  user_id                 uuid PRIMARY KEY REFERENCES users(id),
  availability            text NOT NULL DEFAULT 'offline' CHECK (availability IN ('online', 'away', 'offline')),
  away_reason             text CHECK (away_reason IN ('break', 'meeting', 'training', 'back_office')),
  availability_changed_at timestamptz NOT NULL DEFAULT now(),
  -- when the agent last got work (or came online): the longest idle wins a tie between equally loaded agents
  idle_since              timestamptz NOT NULL DEFAULT now(),
  -- the last sign of an open console tab (its live stream); none for a while makes the agent offline
  console_seen_at         timestamptz,
  skills                  jsonb NOT NULL DEFAULT '{}',
  capacity                jsonb NOT NULL DEFAULT '{}',
  CHECK ((availability = 'away') = (away_reason IS NOT NULL))
);
INSERT INTO agent_profiles (user_id) SELECT id FROM users WHERE role IN ('agent', 'manager');
CREATE INDEX agent_profiles_seen_idx ON agent_profiles (console_seen_at) WHERE availability <> 'offline';

CREATE TABLE absences (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id        uuid NOT NULL REFERENCES users(id),
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL CHECK (ends_at > starts_at),
  reason         text NOT NULL CHECK (reason IN ('vacation', 'sick', 'other')),
  deputy_id      uuid REFERENCES users(id) CHECK (deputy_id <> user_id),
  created_by     uuid NOT NULL REFERENCES users(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  -- when its open conversations were handed back (to the queue or the deputy); null until it starts
  handed_back_at timestamptz,
  cancelled_at   timestamptz
);
CREATE INDEX absences_user_idx ON absences (user_id, starts_at) WHERE cancelled_at IS NULL;
CREATE INDEX absences_due_idx ON absences (starts_at) WHERE cancelled_at IS NULL AND handed_back_at IS NULL;

ALTER TABLE channels
  ADD COLUMN routing_mode    text NOT NULL DEFAULT 'manual' CHECK (routing_mode IN ('manual', 'auto', 'pull')),
  ADD COLUMN routing_team_id uuid REFERENCES teams(id);

ALTER TABLE conversations
  ADD COLUMN routing_reason    jsonb,
  ADD COLUMN routed_at         timestamptz,
  ADD COLUMN routing_opened_at timestamptz,
  -- what routing matches skills against, where the source says it (ISO 639-1; a postcode or Bundesland code)
  ADD COLUMN language          text CHECK (language ~ '^[a-z]{2}$'),
  ADD COLUMN region            text CHECK (region ~ '^([0-9]{5}|[A-Z]{2})$');
-- the queue (waiting, unassigned) and the slots in use (assigned, per agent)
CREATE INDEX conversations_queue_idx ON conversations (channel_id, response_due_at) WHERE status = 'new' AND assignee_id IS NULL;
CREATE INDEX conversations_slots_idx ON conversations (assignee_id) WHERE status = 'assigned';
