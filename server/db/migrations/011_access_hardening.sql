-- API tokens expire and can be revoked. Tokens issued before this migration get 90 days from now, so
-- integrations keep working while their owners replace them with tokens of a chosen lifetime.

ALTER TABLE api_tokens
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN revoked_at timestamptz;

UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;

ALTER TABLE api_tokens
  ALTER COLUMN expires_at SET NOT NULL,
  ADD CONSTRAINT api_tokens_expiry_after_creation CHECK (expires_at > created_at);

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);
