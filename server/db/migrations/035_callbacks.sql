-- Callback requests (issue #19 point 3): a website visitor outside opening hours or at capacity leaves a phone
-- number and a time window; the request is a case on the site's channel (a "Rückruf"/"Callback" case) whose
-- one inbound post is timed by the callback rule (domain/callbacks/callbackDue.ts), and every call attempt is
-- recorded. A chat site says within how many business minutes it calls back.
ALTER TABLE chat_sites
  ADD COLUMN callback_minutes integer NOT NULL DEFAULT 60 CHECK (callback_minutes BETWEEN 5 AND 1440);

CREATE TABLE callback_requests (
  conversation_id uuid PRIMARY KEY REFERENCES conversations(id),
  site_id         uuid NOT NULL REFERENCES chat_sites(id),
  -- the post the request became: its clock is the callback's service level
  message_id      uuid NOT NULL REFERENCES messages(id),
  -- E.164: + and 8 to 15 digits; number and name are NULL once the customer is erased (Art. 17)
  phone           text CHECK (phone ~ '^\+[1-9][0-9]{7,14}$'),
  name            text CHECK (length(name) BETWEEN 1 AND 100),
  window_start    timestamptz NOT NULL,
  window_end      timestamptz NOT NULL,
  time_zone       text NOT NULL CHECK (length(time_zone) <= 64),
  language        text NOT NULL CHECK (language IN ('de', 'en')),
  requested_at    timestamptz NOT NULL,
  consent_at      timestamptz NOT NULL,
  -- the first due time (the post's may move when an agent sets a new one after a missed call)
  due_at          timestamptz NOT NULL,
  CHECK (window_end > window_start),
  CHECK (due_at >= window_start AND due_at <= window_end)
);
CREATE INDEX callback_requests_requested_idx ON callback_requests (requested_at);

-- One row per call attempt, in order; 'reached' answers the callback, 'wrong_number' closes it.
CREATE TABLE callback_attempts (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id uuid NOT NULL REFERENCES callback_requests(conversation_id),
  outcome         text NOT NULL CHECK (outcome IN ('reached', 'not_reached', 'wrong_number')),
  user_id         uuid NOT NULL REFERENCES users(id),
  at              timestamptz NOT NULL,
  note            text CHECK (length(note) <= 500),
  -- a missed call may set when to try again
  next_due_at     timestamptz,
  CHECK (next_due_at IS NULL OR outcome = 'not_reached')
);
CREATE INDEX callback_attempts_conversation_idx ON callback_attempts (conversation_id, at);
CREATE INDEX callback_attempts_at_idx ON callback_attempts (at);
