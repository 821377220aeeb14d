-- Outbound safety (issue 13, point 4).

-- "uncertain": a reply whose send was interrupted before the channel confirmed it (its worker died, or
-- recording the send failed) on a channel without idempotency keys. It is not sent again on its own;
-- the agent checks the channel and marks it sent or sends it again (both audited).
ALTER TABLE messages DROP CONSTRAINT messages_delivery_state_check;
ALTER TABLE messages ADD CONSTRAINT messages_delivery_state_check
  CHECK (delivery_state IN ('queued', 'sending', 'sent', 'failed', 'uncertain'));

-- Idempotency-Key of POST /api/v1/conversations/:id/replies, per API user: the first request's
-- fingerprint and answer, so a repeat (same key, same body) gets the same answer without a second
-- reply. Kept 24 hours (server/domain/replies/idempotentRequest.ts), purged by the requests themselves.
CREATE TABLE api_idempotency_keys (
  user_id          uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash     text NOT NULL,
  response_status  integer,
  response_body    jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX api_idempotency_keys_created_idx ON api_idempotency_keys (created_at);
