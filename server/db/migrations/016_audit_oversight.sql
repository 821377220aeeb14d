-- Oversight of the audit trail: verification checkpoints, alerts on a broken chain, and the indexes
-- behind the readable audit page (filters by action group and "people only").

-- One row per verification run (scheduled, on demand, or the CLI's full mode). An incremental run
-- starts after the newest intact checkpoint (through_seq/through_hash) and checks only what came since.
CREATE TABLE audit_verifications (
  id             bigserial PRIMARY KEY,
  mode           text NOT NULL CHECK (mode IN ('incremental', 'full')),
  trigger        text NOT NULL CHECK (trigger IN ('schedule', 'on_demand', 'cli')),
  requested_by   text,                 -- the user's name for an on-demand run
  started_at     timestamptz NOT NULL,
  finished_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  from_seq       bigint NOT NULL,      -- first event checked (through_seq + 1 of the checkpoint it started from)
  through_seq    bigint NOT NULL,      -- last event checked; for an intact run the new checkpoint
  through_hash   text,                 -- that event's hash (null: the trail is empty)
  events_checked bigint NOT NULL,      -- events this run recomputed
  ok             boolean NOT NULL,
  broken_at_seq  bigint,               -- the first broken link when not ok
  problem        text,
  CHECK (ok = (broken_at_seq IS NULL))
);
CREATE INDEX audit_verifications_ok_idx ON audit_verifications (through_seq DESC) WHERE ok;

-- A broken chain is an alert in the bell of every admin and auditor.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention', 'audit_break'));
ALTER TABLE notifications ADD COLUMN audit_verification_id bigint REFERENCES audit_verifications(id);

-- The action groups of the audit page's filter (server/domain/audit/actionGroups.ts has the same table;
-- tests/integration/auditReadable.test.ts checks that both agree for every action).
CREATE FUNCTION audit_action_group(action text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE split_part(action, '.', 1)
    WHEN 'auth' THEN 'access' WHEN 'user' THEN 'access' WHEN 'api_token' THEN 'access'
    WHEN 'team' THEN 'access' WHEN 'agent' THEN 'access' WHEN 'absence' THEN 'access'
    WHEN 'channel' THEN 'channels' WHEN 'topic' THEN 'channels'
    WHEN 'calendar' THEN 'serviceLevels' WHEN 'sla_policy' THEN 'serviceLevels' WHEN 'sla' THEN 'serviceLevels'
    WHEN 'conversation' THEN 'conversations' WHEN 'note' THEN 'conversations'
    WHEN 'message' THEN 'messages' WHEN 'reply' THEN 'messages'
    WHEN 'canned_response' THEN 'cannedResponses'
    WHEN 'audit' THEN 'oversight' WHEN 'report' THEN 'oversight'
    WHEN 'listening_query' THEN 'oversight' WHEN 'alert_rule' THEN 'oversight' WHEN 'alert' THEN 'oversight'
    WHEN 'alert_settings' THEN 'oversight' WHEN 'push_subscription' THEN 'oversight'
    ELSE 'other' END
$$;

-- Newest first, by group, and the default "people only" view, each an index scan that stops after one page.
CREATE INDEX audit_events_group_idx ON audit_events (audit_action_group(action), seq);
CREATE INDEX audit_events_people_idx ON audit_events (seq) WHERE actor_type = 'user';
CREATE INDEX audit_events_people_group_idx ON audit_events (audit_action_group(action), seq) WHERE actor_type = 'user';

-- Calendars, SLA policies and canned responses are retired, never deleted: posts, reports and the audit
-- trail keep pointing at them (and their figures), but they are offered for nothing new.
ALTER TABLE calendars ADD COLUMN retired_at timestamptz;
ALTER TABLE sla_policies ADD COLUMN retired_at timestamptz;
ALTER TABLE canned_responses ADD COLUMN retired_at timestamptz;
-- A retired canned response frees its shortcut for a new one.
ALTER TABLE canned_responses DROP CONSTRAINT canned_responses_shortcut_key;
CREATE UNIQUE INDEX canned_responses_live_shortcut_idx ON canned_responses (shortcut) WHERE retired_at IS NULL;
