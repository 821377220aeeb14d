-- Bot first (issue 19): a chat site may let an automatic assistant answer a new chat with up to three knowledge
-- articles before routing. The visitor says whether that helped (then the chat closes as self-served), asks for
-- a person, or writes again (another turn); after the site's turns, or when no article matches, the bot hands over.
ALTER TABLE chat_sites
  ADD COLUMN bot_enabled    boolean NOT NULL DEFAULT false,
  ADD COLUMN bot_max_turns  integer NOT NULL DEFAULT 2 CHECK (bot_max_turns BETWEEN 1 AND 5),
  -- per language the disclosure the bot opens with (EU AI Act Art. 50): {"de": "...", "en": "..."}; stored complete
  ADD COLUMN bot_disclosure jsonb NOT NULL DEFAULT '{}';

-- Who wrote an outbound message when no user did: 'bot' (an automatic reply; never a response for the SLA).
ALTER TABLE messages ADD COLUMN author_kind text CHECK (author_kind IN ('bot'));

-- The bot's hold on a chat: holding (not routed, SLA clocks paused) → self_served (closed) or handed_over (routed).
ALTER TABLE chat_sessions
  ADD COLUMN bot_state           text CHECK (bot_state IN ('holding', 'self_served', 'handed_over')),
  ADD COLUMN bot_turns           integer NOT NULL DEFAULT 0 CHECK (bot_turns BETWEEN 0 AND 5),
  -- taken: a person took the chat by hand (assigned it) while the bot held it
  ADD COLUMN bot_handover_reason text CHECK (bot_handover_reason IN ('asked', 'not_helped', 'max_turns', 'no_match', 'taken')),
  ADD COLUMN bot_done_at         timestamptz,
  ADD CONSTRAINT chat_sessions_bot_handover_check CHECK ((bot_state = 'handed_over') = (bot_handover_reason IS NOT NULL)),
  DROP CONSTRAINT chat_sessions_end_reason_check,
  ADD CONSTRAINT chat_sessions_end_reason_check CHECK (end_reason IN ('agent', 'customer', 'inactivity', 'self_served'));
CREATE INDEX chat_sessions_bot_idx ON chat_sessions (started_at) WHERE bot_state IS NOT NULL;

-- Each article a bot message offered, and what the visitor said of that offer (null: no answer to it).
CREATE TABLE bot_offers (
  message_id      uuid NOT NULL REFERENCES messages(id),
  article_id      uuid NOT NULL REFERENCES knowledge_articles(id),
  conversation_id uuid NOT NULL REFERENCES conversations(id),
  position        smallint NOT NULL CHECK (position BETWEEN 1 AND 3),
  offered_at      timestamptz NOT NULL,
  outcome         text CHECK (outcome IN ('helped', 'not_helped')),
  PRIMARY KEY (message_id, article_id)
);
CREATE INDEX bot_offers_offered_idx ON bot_offers (offered_at);
CREATE INDEX bot_offers_conversation_idx ON bot_offers (conversation_id);
