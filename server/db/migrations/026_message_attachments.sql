-- What a customer sent besides text: photos, voice notes, documents (WhatsApp, Telegram, e-mail).
-- E-mail brings the bytes with the message, so they are kept on ingest; WhatsApp and Telegram deliver
-- only a media id, fetched from the provider the first time an agent opens it and kept here from then on
-- (content + fetched_at). Rows go with their message; erasure and retention delete them.
CREATE TABLE message_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  position smallint NOT NULL CHECK (position >= 0),
  file_name text CHECK (length(file_name) <= 255),
  content_type text CHECK (length(content_type) <= 255),
  size_bytes integer CHECK (size_bytes >= 0),
  -- the provider's handle to fetch the bytes (WhatsApp media id, Telegram file_id); NULL when they came with the message
  provider_ref text CHECK (length(provider_ref) <= 512),
  content bytea CHECK (octet_length(content) <= 10485760),
  fetched_at timestamptz,
  UNIQUE (message_id, position)
);
