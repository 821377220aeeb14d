-- Bot first on messaging channels (issue 19): a channel whose connector allows automatic replies (Telegram,
-- WhatsApp) may let the bot answer a new conversation with up to three knowledge articles before routing. The
-- customer answers with a keyword (JA/NEIN/MENSCH) or writes again; the widget's rules apply otherwise.
ALTER TABLE channels
  ADD COLUMN bot_enabled      boolean NOT NULL DEFAULT false,
  ADD COLUMN bot_max_turns    integer NOT NULL DEFAULT 2 CHECK (bot_max_turns BETWEEN 1 AND 5),
  -- per language the disclosure the bot opens with (EU AI Act Art. 50): {"de": "...", "en": "..."}; stored complete
  ADD COLUMN bot_disclosure   jsonb NOT NULL DEFAULT '{}',
  -- the chat site whose public help page the bot's article links open (articles are shared; the site gives the page)
  ADD COLUMN bot_help_site_id uuid REFERENCES chat_sites(id);

-- The bot's hold on a conversation of a messaging channel (the widget's is on chat_sessions):
-- holding (not routed, SLA clocks paused) → self_served (closed) or handed_over (routed).
CREATE TABLE conversation_bots (
  conversation_id uuid PRIMARY KEY REFERENCES conversations(id),
  channel_id      uuid NOT NULL REFERENCES channels(id),
  language        text NOT NULL CHECK (language IN ('de', 'en')),
  state           text NOT NULL CHECK (state IN ('holding', 'self_served', 'handed_over')),
  turns           integer NOT NULL DEFAULT 0 CHECK (turns BETWEEN 0 AND 5),
  handover_reason text CHECK (handover_reason IN ('asked', 'not_helped', 'max_turns', 'no_match', 'taken')),
  started_at      timestamptz NOT NULL,
  done_at         timestamptz,
  CHECK ((state = 'handed_over') = (handover_reason IS NOT NULL))
);
CREATE INDEX conversation_bots_started_idx ON conversation_bots (started_at);
CREATE INDEX conversation_bots_holding_idx ON conversation_bots (conversation_id) WHERE state = 'holding';
