-- Users and channels are managed in the console. Users are invited without a password (they set it through a single-use,
-- expiring link whose token is stored only as a hash), deactivated without losing their history.

ALTER TABLE users
  ALTER COLUMN password_hash DROP NOT NULL,
  ADD COLUMN deactivated_at timestamptz;

-- An invitation or a password reset: the link's token is shown once; only its SHA-256 is kept.
-- A link is used once (used_at), ends at expires_at, and a newer link for the same user replaces it (revoked_at).
CREATE TABLE password_links (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users(id),
  purpose     text NOT NULL CHECK (purpose IN ('invitation', 'reset')),
  token_hash  text NOT NULL UNIQUE,
  created_by  uuid REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX password_links_open_idx ON password_links (user_id) WHERE used_at IS NULL AND revoked_at IS NULL;

-- Deactivating a user ends their console sessions at once: found by the user id inside the session.
CREATE INDEX user_sessions_user_idx ON user_sessions ((sess ->> 'userId'));

-- Channel traffic on the channels page (last message in, last reply out, failing replies of the last day):
-- read per channel from the newest rows down.
CREATE INDEX messages_channel_traffic_idx ON messages (channel_id, direction, created_at DESC);
