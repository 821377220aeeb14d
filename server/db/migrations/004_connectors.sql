-- Connector framework: polling state and health per channel, a cursor per tracked search, avatars of
-- contact identities. Cursors live in rows (PostgreSQL is the truth); Redis only holds the schedules.

ALTER TABLE channels
  ADD COLUMN poll_interval_seconds integer NOT NULL DEFAULT 60 CHECK (poll_interval_seconds BETWEEN 1 AND 86400),
  ADD COLUMN paused               boolean NOT NULL DEFAULT false,
  -- Where the channel's own stream (e.g. the X mentions timeline) continues; advanced only after commit.
  ADD COLUMN cursor               text,
  ADD COLUMN last_success_at      timestamptz,
  ADD COLUMN items_fetched        bigint NOT NULL DEFAULT 0,
  ADD COLUMN last_error           text,
  ADD COLUMN last_error_kind      text CHECK (last_error_kind IN ('auth', 'rate_limited', 'transient', 'permanent')),
  ADD COLUMN last_error_at        timestamptz,
  ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
  -- No poll before this time: the remote side's rate-limit reset, or the end of an error backoff.
  ADD COLUMN next_poll_at         timestamptz,
  ADD COLUMN rate_limit_remaining integer,
  ADD COLUMN rate_limit_reset_at  timestamptz,
  -- One poll per channel at a time, across all worker processes.
  ADD COLUMN poll_lease_until     timestamptz;

-- Tracked searches: where each continues, and removal that keeps the topic on its conversations.
ALTER TABLE topics
  ADD COLUMN cursor     text,
  ADD COLUMN removed_at timestamptz;

ALTER TABLE contact_identities ADD COLUMN avatar_url text;
