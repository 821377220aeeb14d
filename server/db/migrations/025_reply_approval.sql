-- Reply approval (four-eyes): a reply by someone whose replies need approval, or on a channel whose replies
-- need approval, waits in `pending_approval` until an approver (a manager, or a person allowed to approve)
-- approves it (then it is queued like any reply) or rejects it with a note. server/domain/replies/approval*.ts

ALTER TABLE users
  ADD COLUMN replies_need_approval boolean NOT NULL DEFAULT false,
  ADD COLUMN may_approve_replies boolean NOT NULL DEFAULT false;
ALTER TABLE channels ADD COLUMN replies_need_approval boolean NOT NULL DEFAULT false;

-- Two more states of an outbound reply: waiting for an approver, and turned back by one. Neither is ever
-- picked up by the outbound worker or the reconciler (both take only queued and sending).
ALTER TABLE messages DROP CONSTRAINT messages_delivery_state_check;
ALTER TABLE messages ADD CONSTRAINT messages_delivery_state_check
  CHECK (delivery_state IN ('queued', 'sending', 'sent', 'failed', 'uncertain', 'pending_approval', 'rejected'));

-- Who asked, who decided and why. The note is the approver's words to the author (staff text, like a close
-- reason); the reply text itself stays in messages only (and in the audit trail as personal values).
CREATE TABLE reply_approvals (
  message_id   uuid PRIMARY KEY REFERENCES messages(id),
  requested_by uuid NOT NULL REFERENCES users(id),
  requested_at timestamptz NOT NULL DEFAULT now(),
  state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
  decided_by   uuid REFERENCES users(id),
  decided_at   timestamptz,
  note         text CHECK (char_length(note) <= 2000),
  CHECK ((state = 'pending') = (decided_by IS NULL))
);
CREATE INDEX reply_approvals_pending_idx ON reply_approvals (requested_at) WHERE state = 'pending';

-- The author hears of a rejection. The kinds are read from the constraint as it stands, so a kind another
-- migration added is kept.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k[1]), ', ') INTO kinds
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') k
   WHERE c.conname = 'notifications_kind_check' AND c.conrelid = 'notifications'::regclass;
  EXECUTE 'ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check';
  EXECUTE format('ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (%s, %L))', kinds, 'reply_rejected');
END $$;

-- A reply counts in the people report once it is on its way to the customer: not while it waits for an
-- approver, not when it was rejected (009_report_rollup; unchanged otherwise). No stored reply is in either
-- state yet, so the rollups need no rebuild; later changes of state reach them through the update trigger.
CREATE OR REPLACE FUNCTION report_contributions(m messages) RETURNS TABLE (
  kind text, slot timestamptz, channel_id uuid, topic_id uuid, user_id uuid,
  inbound int, within int, late int, breached int, replies int, bbin smallint, wbin smallint, bval double precision, wval double precision
) LANGUAGE sql STABLE AS $$
  WITH p AS (
    SELECT m.direction = 'inbound' AS inb,
           coalesce(m.topic_id, '00000000-0000-0000-0000-000000000000'::uuid) AS topic,
           m.sla_due_at IS NOT NULL AND m.responded_at IS NOT NULL AS answered,
           m.sla_due_at IS NOT NULL AND m.responded_at IS NOT NULL AND m.responded_at <= m.sla_due_at
             AND m.sla_state IS DISTINCT FROM 'breached' AS w,
           m.sla_due_at IS NOT NULL AND m.responded_at IS NULL AND m.sla_state = 'breached' AS b),
  q AS (SELECT p.*, p.answered AND NOT p.w AS l FROM p)
  SELECT 'post', date_trunc('hour', m.posted_at, 'UTC'), m.channel_id, q.topic, NULL::uuid, 1, q.w::int, q.l::int, q.b::int, 0,
         CASE WHEN q.answered THEN report_bin(m.business_minutes_to_respond) END,
         CASE WHEN q.answered THEN report_bin(m.wall_minutes_to_respond) END,
         CASE WHEN q.answered THEN m.business_minutes_to_respond END, CASE WHEN q.answered THEN m.wall_minutes_to_respond END
    FROM q WHERE q.inb
  UNION ALL
  SELECT 'agent', date_trunc('day', m.posted_at, report_day_zone()), m.channel_id, q.topic, r.author_user_id, 0, q.w::int, q.l::int, 0, 0,
         report_bin(m.business_minutes_to_respond), report_bin(m.wall_minutes_to_respond),
         m.business_minutes_to_respond, m.wall_minutes_to_respond
    FROM q JOIN messages r ON r.id = m.response_message_id
   WHERE q.inb AND q.answered AND r.author_user_id IS NOT NULL
  UNION ALL
  SELECT 'agent', date_trunc('day', m.posted_at, report_day_zone()), m.channel_id, q.topic, m.breach_responsible_user_id, 0, 0, 0, 1, 0, NULL, NULL, NULL, NULL
    FROM q WHERE q.inb AND (q.l OR q.b) AND m.breach_responsible_user_id IS NOT NULL
  UNION ALL
  SELECT 'agent', date_trunc('day', m.posted_at, report_day_zone()), m.channel_id, q.topic, m.author_user_id, 0, 0, 0, 0, 1, NULL, NULL, NULL, NULL
    FROM q WHERE m.direction = 'outbound' AND m.author_user_id IS NOT NULL
     AND m.delivery_state IS DISTINCT FROM 'pending_approval' AND m.delivery_state IS DISTINCT FROM 'rejected'
$$;
