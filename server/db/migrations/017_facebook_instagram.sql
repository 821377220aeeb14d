-- Facebook pages and Instagram professional accounts: two more channel kinds, pushed to by one Meta
-- webhook; comments that the customer edits or removes, and comments an agent hides or deletes.

ALTER TABLE channels DROP CONSTRAINT channels_kind_check;
ALTER TABLE channels ADD CONSTRAINT channels_kind_check
  CHECK (kind IN ('api', 'x', 'whatsapp', 'telegram', 'email', 'webchat', 'facebook', 'instagram'));
-- Meta routes a delivery by entry[].id: the page id (Facebook) or the Instagram account id; one channel each.
CREATE UNIQUE INDEX channels_meta_page_idx ON channels (kind, (settings->>'pageId')) WHERE kind IN ('facebook', 'instagram');

-- 'meta': a delivery of the Meta webhook (Facebook page or Instagram). body_sha256: Meta retries a delivery
-- it saw no 200 for with the same body; a retry is not stored twice for the same channel.
ALTER TABLE webhook_inbox DROP CONSTRAINT webhook_inbox_kind_check;
ALTER TABLE webhook_inbox ADD CONSTRAINT webhook_inbox_kind_check CHECK (kind IN ('whatsapp', 'meta'));
ALTER TABLE webhook_inbox ADD COLUMN body_sha256 text;
CREATE UNIQUE INDEX webhook_inbox_delivery_idx ON webhook_inbox (channel_id, body_sha256) WHERE body_sha256 IS NOT NULL;

-- What happened to an inbound post on the channel after it landed: the customer edited it (text replaced,
-- edited_at set) or removed it (removed_at); an agent hid it from the public or deleted it (moderation).
ALTER TABLE messages
  ADD COLUMN remote_edited_at  timestamptz,
  ADD COLUMN remote_removed_at timestamptz,
  ADD COLUMN moderation        text CHECK (moderation IN ('hidden', 'deleted'));
