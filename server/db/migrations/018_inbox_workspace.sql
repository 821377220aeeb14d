-- The inbox as an agent's workspace: what each user has read, the "most urgent first" order, and
-- search by customer name, handle and e-mail address (message text has its full-text column since 003).

-- Per user and conversation: the conversation's last activity the user has seen. A conversation is
-- unread for a user while its last_message_at is later than this (or there is no row).
CREATE TABLE conversation_reads (
  user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  read_at         timestamptz NOT NULL,
  PRIMARY KEY (user_id, conversation_id)
);

-- Most urgent first: due soonest (conversations without a due time last), then priority, then waiting longest.
CREATE INDEX conversations_urgency_idx ON conversations (
  response_due_at NULLS LAST,
  (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
  last_message_at,
  id
);

-- Substring search ("muster" finds "Erika Mustermann", "example.com" finds every address there).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX contacts_name_trgm_idx ON contacts USING gin (lower(name) gin_trgm_ops);
CREATE INDEX contact_identities_handle_trgm_idx ON contact_identities USING gin (lower(handle) gin_trgm_ops);
CREATE INDEX contact_identities_name_trgm_idx ON contact_identities USING gin (lower(name) gin_trgm_ops);
