-- Multi-step cases: tasks on a conversation, each for one person or one team (a back-office team such as
-- "Buchhaltung" is simply a team no channel routes to), with a due instant (computed in business time from
-- the conversation's calendar), dependencies within the same conversation, and the overdue notice told once.

CREATE TABLE conversation_tasks (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id     uuid NOT NULL REFERENCES conversations(id),
  -- "Schritt 2": numbered per conversation in the order the tasks were added
  number              integer NOT NULL CHECK (number > 0),
  -- internal text (emptied with the conversation's personal data, hence no minimum length here)
  title               text NOT NULL CHECK (length(title) <= 200),
  assignee_id         uuid REFERENCES users(id),
  team_id             uuid REFERENCES teams(id),
  due_at              timestamptz,
  state               text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
  created_by          uuid NOT NULL REFERENCES users(id),
  created_at          timestamptz NOT NULL DEFAULT now(),
  completed_by        uuid REFERENCES users(id),
  completed_at        timestamptz,
  -- when the assignee (or the team) and the managers were told the task is overdue; null: not yet
  overdue_notified_at timestamptz,
  UNIQUE (conversation_id, number),
  CHECK ((assignee_id IS NULL) <> (team_id IS NULL)),
  CHECK ((state = 'done') = (completed_at IS NOT NULL))
);
CREATE INDEX conversation_tasks_assignee_idx ON conversation_tasks (assignee_id) WHERE state = 'open';
CREATE INDEX conversation_tasks_team_idx ON conversation_tasks (team_id) WHERE state = 'open';
-- the overdue timers still owed (the reconciler re-enqueues them)
CREATE INDEX conversation_tasks_overdue_idx ON conversation_tasks (due_at) WHERE state = 'open' AND overdue_notified_at IS NULL AND due_at IS NOT NULL;

-- "after task 2": task_id cannot be completed before depends_on_id is done (the domain refuses cycles).
CREATE TABLE task_dependencies (
  task_id       uuid NOT NULL REFERENCES conversation_tasks(id),
  depends_on_id uuid NOT NULL REFERENCES conversation_tasks(id),
  PRIMARY KEY (task_id, depends_on_id),
  CHECK (task_id <> depends_on_id)
);
CREATE INDEX task_dependencies_depends_on_idx ON task_dependencies (depends_on_id);

-- The bell tells people about overdue tasks.
ALTER TABLE notifications ADD COLUMN task_id uuid REFERENCES conversation_tasks(id);
-- The kinds are read from the constraint as it stands (as 025 does), so a kind another migration added is kept
-- whichever of them a database applied first.
DO $$
DECLARE
  kinds text;
BEGIN
  SELECT string_agg(quote_literal(k[1]), ', ') INTO kinds
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') k
   WHERE c.conname = 'notifications_kind_check' AND c.conrelid = 'notifications'::regclass;
  EXECUTE 'ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check';
  EXECUTE format('ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (%s, %L))', kinds, 'task_overdue');
END $$;

-- Task events are conversation.task_* actions: the conversations group of audit_action_group() already holds them.
