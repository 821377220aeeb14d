-- The customer as one person, and what the law lets us keep about them: contact fields, merges (with undo),
-- personal values of audit events kept outside the hash chain (docs/audit-and-erasure.md), erasure and
-- per-channel retention.

ALTER TABLE contacts
  ADD COLUMN email          text,
  ADD COLUMN phone          text,
  ADD COLUMN notes          text NOT NULL DEFAULT '',
  ADD COLUMN tags           text[] NOT NULL DEFAULT '{}',
  ADD COLUMN merged_into_id uuid REFERENCES contacts(id),
  ADD COLUMN erased_at      timestamptz;
CREATE INDEX contacts_email_idx ON contacts (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX contacts_phone_idx ON contacts (phone) WHERE phone IS NOT NULL;

-- One merge: what moved from the merged contact to the kept one, so an undo within the period moves it back.
CREATE TABLE contact_merges (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kept_contact_id    uuid NOT NULL REFERENCES contacts(id),
  merged_contact_id  uuid NOT NULL REFERENCES contacts(id),
  identity_ids       uuid[] NOT NULL,
  conversation_ids   uuid[] NOT NULL,
  merged_by          uuid NOT NULL REFERENCES users(id),
  merged_at          timestamptz NOT NULL DEFAULT now(),
  undone_at          timestamptz
);
CREATE INDEX contact_merges_kept_idx ON contact_merges (kept_contact_id, merged_at DESC);

-- Personal values named by audit events. The event's before/after holds {"pv": id, "digest": hex} only; the
-- chain covers the digest = sha256(key || value) with a random key per value. Erasure drops value and key
-- (a tombstone): the chain still verifies, and the digest no longer leads back to the value.
CREATE TABLE audit_personal_values (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id uuid NOT NULL,
  digest     text NOT NULL,
  key        bytea,
  value      text,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at  timestamptz,
  CHECK ((erased_at IS NULL) = (value IS NOT NULL AND key IS NOT NULL))
);
CREATE INDEX audit_personal_values_contact_idx ON audit_personal_values (contact_id);

-- Retention: how long closed conversations of a channel keep personal data (NULL: no limit).
ALTER TABLE channels ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 3650);
ALTER TABLE conversations ADD COLUMN anonymised_at timestamptz;
CREATE INDEX conversations_retention_idx ON conversations (channel_id, updated_at) WHERE status = 'closed' AND anonymised_at IS NULL;

-- The audit page's groups (server/domain/audit/actionGroups.ts): contact events with conversations, retention
-- runs with oversight. The indexes on the function are rebuilt for the new mapping.
CREATE OR REPLACE FUNCTION audit_action_group(action text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE split_part(action, '.', 1)
    WHEN 'auth' THEN 'access' WHEN 'user' THEN 'access' WHEN 'api_token' THEN 'access'
    WHEN 'team' THEN 'access' WHEN 'agent' THEN 'access' WHEN 'absence' THEN 'access'
    WHEN 'channel' THEN 'channels' WHEN 'topic' THEN 'channels'
    WHEN 'calendar' THEN 'serviceLevels' WHEN 'sla_policy' THEN 'serviceLevels' WHEN 'sla' THEN 'serviceLevels'
    WHEN 'conversation' THEN 'conversations' WHEN 'note' THEN 'conversations' WHEN 'contact' THEN 'conversations'
    WHEN 'message' THEN 'messages' WHEN 'reply' THEN 'messages'
    WHEN 'canned_response' THEN 'cannedResponses'
    WHEN 'audit' THEN 'oversight' WHEN 'report' THEN 'oversight' WHEN 'retention' THEN 'oversight'
    WHEN 'listening_query' THEN 'oversight' WHEN 'alert_rule' THEN 'oversight' WHEN 'alert' THEN 'oversight'
    WHEN 'alert_settings' THEN 'oversight' WHEN 'push_subscription' THEN 'oversight'
    ELSE 'other' END
$$;
REINDEX INDEX audit_events_group_idx;
REINDEX INDEX audit_events_people_group_idx;
