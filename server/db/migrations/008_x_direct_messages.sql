-- X direct messages: where reading the account's DM events continues, and which thread of a contact
-- a conversation is (NULL: the contact's public posts; 'dm': their direct messages), so that DMs and
-- public mentions of the same person never share a conversation.

-- Opaque to the poll job, like channels.cursor; the X connector keeps the newest DM event id seen
-- (and, after a 429 on the DM endpoint, until when DMs wait) in it. Stored only after commit.
ALTER TABLE channels ADD COLUMN dm_cursor text;

ALTER TABLE conversations ADD COLUMN thread_key text CHECK (thread_key IS NULL OR thread_key IN ('dm'));
