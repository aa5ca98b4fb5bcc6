-- What notifications needs to know about tasks, projected from task events: who created and
-- who is assigned (recipients), and the due date (the due-soon and overdue scheduler).
CREATE TABLE task_facts (
  task_id TEXT PRIMARY KEY,
  board_id TEXT,
  title TEXT NOT NULL,
  creator_id TEXT,
  assignee_id TEXT,
  status TEXT,
  due_at TIMESTAMPTZ,
  closed BOOLEAN NOT NULL DEFAULT false,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX task_facts_due_idx ON task_facts (due_at) WHERE due_at IS NOT NULL AND NOT closed;

-- The id is the Server-Sent Events id: increasing, so a stream resumes after Last-Event-ID.
-- dedupe_key makes a scheduled reminder (due soon, overdue) happen once per task and due date.
CREATE TABLE notifications (
  id BIGSERIAL PRIMARY KEY,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  task_id TEXT NOT NULL,
  board_id TEXT,
  title TEXT NOT NULL,
  message TEXT NOT NULL,
  actor_id TEXT,
  dedupe_key TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  read_at TIMESTAMPTZ,
  CONSTRAINT notifications_dedupe_key UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
