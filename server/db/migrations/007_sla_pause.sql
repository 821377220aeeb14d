-- SLA pause while saved: a post whose policy has pause_when_saved stops its clock while its
-- conversation is `saved`. sla_paused_at is the instant the clock stopped (null = running); on
-- leaving `saved`, sla_due_at / sla_warn_at move forward by the business minutes paused.
ALTER TABLE messages ADD COLUMN sla_paused_at timestamptz;
CREATE INDEX messages_sla_paused_idx ON messages (conversation_id) WHERE sla_paused_at IS NOT NULL;
