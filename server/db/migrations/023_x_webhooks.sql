-- X in real time: the Account Activity webhook stores its deliveries in the same durable inbox as Meta's,
-- and each delivery keeps how many events it held for its channel, so the channels page can show the
-- month's webhook events (X bills per event).
ALTER TABLE webhook_inbox DROP CONSTRAINT webhook_inbox_kind_check;
ALTER TABLE webhook_inbox ADD CONSTRAINT webhook_inbox_kind_check CHECK (kind IN ('whatsapp', 'meta', 'x'));
ALTER TABLE webhook_inbox ADD COLUMN events integer NOT NULL DEFAULT 0 CHECK (events >= 0);
CREATE INDEX webhook_inbox_received_idx ON webhook_inbox (received_at, channel_id);
