-- Messaging channels (WhatsApp, Telegram, e-mail): a durable inbox for pushed webhooks, and the
-- remote side's delivery receipts (delivered, read) on our outbound messages.

-- Raw webhook deliveries, stored before we answer 200 and processed afterwards by a job. A row is
-- processed once (processed_at set in the same transaction as the messages it produced).
CREATE TABLE webhook_inbox (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind         text NOT NULL CHECK (kind IN ('whatsapp')),
  channel_id   uuid NOT NULL REFERENCES channels(id),
  payload      jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text
);
CREATE INDEX webhook_inbox_pending_idx ON webhook_inbox (received_at) WHERE processed_at IS NULL;

-- What the remote side last told us about an outbound message (WhatsApp statuses[]): sent, delivered,
-- read or failed. delivery_state stays ours (queued → sending → sent/failed); this is the receipt.
ALTER TABLE messages
  ADD COLUMN remote_status    text CHECK (remote_status IN ('sent', 'delivered', 'read', 'failed')),
  ADD COLUMN remote_status_at timestamptz;

-- WhatsApp webhooks are routed by the phone number id; one channel per number.
CREATE UNIQUE INDEX channels_whatsapp_phone_number_idx ON channels ((settings->>'phoneNumberId')) WHERE kind = 'whatsapp';
-- Telegram: one channel per bot.
CREATE UNIQUE INDEX channels_telegram_bot_idx ON channels ((settings->>'botId')) WHERE kind = 'telegram';
