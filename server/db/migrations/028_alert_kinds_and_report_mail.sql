-- Alert rules are edited and deleted in the console; a deleted rule stops watching and leaves the list,
-- its alerts stay (they name the rule they came from).
ALTER TABLE alert_rules ADD COLUMN deleted_at timestamptz;

-- Scheduled report e-mails: a person subscribes to a daily, weekly or monthly summary, sent at the
-- local morning hour of their time zone in their language. last_period is the period last sent
-- (e.g. '2026-12-02', '2026-W49', '2026-11'): claiming it is what makes a send happen once.
CREATE TABLE report_subscriptions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users(id),
  frequency    text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
  time_zone    text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
  send_hour    smallint NOT NULL DEFAULT 7 CHECK (send_hour BETWEEN 0 AND 23),
  last_period  text,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, frequency)
);

-- report_subscription.* belongs to the oversight group (server/domain/audit/actionGroups.ts).
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
    WHEN 'report_subscription' THEN 'oversight'
    ELSE 'other' END
$$;
