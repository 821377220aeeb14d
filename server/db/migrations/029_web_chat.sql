-- Website live chat. A chat site is the website face of one webchat channel: the channel keeps what every
-- channel has (routing team and mode = the queue, calendar = the opening hours, SLA policy); the site adds
-- who may embed it, its texts and colour, the pre-chat form, the invitation rules and the chat service level.
CREATE TABLE chat_sites (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel_id         uuid NOT NULL UNIQUE REFERENCES channels(id),
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- exact origins allowed to embed the widget ('https://shop.example'); empty: nowhere
  allowed_origins    text[] NOT NULL DEFAULT '{}' CHECK (cardinality(allowed_origins) <= 20),
  -- per language: {"de": {"title", "greeting", "offline", "consent"}, "en": {...}}
  texts              jsonb NOT NULL DEFAULT '{}',
  colour             text NOT NULL DEFAULT '#1d4ed8' CHECK (colour ~ '^#[0-9a-fA-F]{6}$'),
  -- pre-chat fields: each 'off' | 'optional' | 'required'
  prechat_name       text NOT NULL DEFAULT 'optional' CHECK (prechat_name IN ('off', 'optional', 'required')),
  prechat_email      text NOT NULL DEFAULT 'optional' CHECK (prechat_email IN ('off', 'optional', 'required')),
  -- proactive invitations: [{"urlPattern": "/checkout*", "afterSeconds": 30}], first match wins
  invitation_rules   jsonb NOT NULL DEFAULT '[]',
  -- invite (and show "online") only while the predicted wait is below this
  max_wait_seconds   integer NOT NULL DEFAULT 120 CHECK (max_wait_seconds BETWEEN 5 AND 3600),
  -- the chat service level: target_percent % of chats accepted within target_seconds
  target_seconds     integer NOT NULL DEFAULT 20 CHECK (target_seconds BETWEEN 5 AND 600),
  target_percent     integer NOT NULL DEFAULT 80 CHECK (target_percent BETWEEN 1 AND 100),
  -- a chat with no word from the visitor for this long ends ('inactivity')
  inactivity_minutes integer NOT NULL DEFAULT 15 CHECK (inactivity_minutes BETWEEN 1 AND 240),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- One row per chat (a webchat conversation): the visitor's secret (hashed), what the visitor told us, and the
-- chat's life: offered (started_at) → accepted by an agent → ended (by agent, customer or inactivity).
-- A chat that ended before it was accepted was abandoned.
CREATE TABLE chat_sessions (
  conversation_id    uuid PRIMARY KEY REFERENCES conversations(id),
  site_id            uuid NOT NULL REFERENCES chat_sites(id),
  -- sha256 of the visitor token the widget keeps in localStorage; the token reads this conversation only
  visitor_token_hash text NOT NULL UNIQUE,
  -- the widget's random per-browser id (invitations are held per visitor)
  visitor_id         text NOT NULL CHECK (length(visitor_id) BETWEEN 8 AND 64),
  page_url           text CHECK (length(page_url) <= 2000),
  prechat_name       text CHECK (length(prechat_name) <= 100),
  prechat_email      text CHECK (length(prechat_email) <= 254),
  consent_at         timestamptz,
  language           text NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en')),
  started_at         timestamptz NOT NULL DEFAULT now(),
  accepted_at        timestamptz,
  accepted_by        uuid REFERENCES users(id),
  ended_at           timestamptz,
  end_reason         text CHECK (end_reason IN ('agent', 'customer', 'inactivity')),
  last_visitor_at    timestamptz NOT NULL DEFAULT now(),
  -- read state: the visitor has seen the agent's messages up to this instant
  visitor_read_at    timestamptz,
  CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
  CHECK ((accepted_at IS NULL) = (accepted_by IS NULL))
);
CREATE INDEX chat_sessions_site_started_idx ON chat_sessions (site_id, started_at);
CREATE INDEX chat_sessions_open_idx ON chat_sessions (site_id, started_at) WHERE ended_at IS NULL;

-- A proactive invitation holds one free chat slot of the site until it expires or the visitor starts a chat,
-- so the site never invites more visitors at once than there are free slots.
CREATE TABLE chat_invitations (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  site_id     uuid NOT NULL REFERENCES chat_sites(id),
  visitor_id  text NOT NULL CHECK (length(visitor_id) BETWEEN 8 AND 64),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX chat_invitations_held_idx ON chat_invitations (site_id, expires_at) WHERE used_at IS NULL;
