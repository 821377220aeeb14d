-- SLA timers are swept from the database (jobs/slaTimers.ts) instead of two delayed BullMQ jobs per post: the
-- sweep reads the running clocks by their next instant, the warning while a post is still 'ok' and has one,
-- else the due time, then id (a sweep pages on both). The index holds only running, unpaused clocks, so a post
-- leaves it when it is answered, paused or breached. It replaces the due-time index the reconciler read to
-- re-add the jobs.
DROP INDEX IF EXISTS messages_sla_timers_idx;
CREATE INDEX messages_sla_next_timer_idx ON messages ((CASE WHEN sla_state = 'ok' AND sla_warn_at IS NOT NULL THEN sla_warn_at ELSE sla_due_at END), id)
  WHERE sla_due_at IS NOT NULL AND responded_at IS NULL AND sla_state IN ('ok', 'warning') AND sla_paused_at IS NULL;
