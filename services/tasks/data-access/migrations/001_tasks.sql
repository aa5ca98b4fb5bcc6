-- Read models of the tasks service: projections of the event log (see data-access/projections.ts).
-- Every row keeps `version`, its stream's version, which is also its ETag.

CREATE TABLE boards (
  id UUID PRIMARY KEY,
  project_id UUID NOT NULL,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
-- Boards are unique by name within a project (per owner: the tasks service cannot see who else is in a project).
CREATE UNIQUE INDEX boards_name_per_project ON boards (owner_id, project_id, lower(name));
CREATE INDEX boards_owner_idx ON boards (owner_id, created_at);

CREATE TABLE cards (
  id UUID PRIMARY KEY,
  board_id UUID NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('backlog', 'todo', 'doing', 'done')),
  position INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX cards_name_per_board ON cards (board_id, lower(name));

CREATE TABLE tasks (
  id UUID PRIMARY KEY,
  board_id UUID NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
  card_id UUID NOT NULL REFERENCES cards (id),
  title TEXT NOT NULL,
  description TEXT,
  priority TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
  status TEXT NOT NULL CHECK (status IN ('backlog', 'todo', 'doing', 'done', 'cancelled')),
  assignee_id TEXT,
  due_date TIMESTAMPTZ,
  tags JSONB NOT NULL DEFAULT '[]',
  position INTEGER NOT NULL,
  completed_at TIMESTAMPTZ,
  cancelled_at TIMESTAMPTZ,
  created_by TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX tasks_title_per_board ON tasks (board_id, lower(title));
CREATE INDEX tasks_card_idx ON tasks (card_id, position);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id);

CREATE TABLE comments (
  id UUID PRIMARY KEY,
  task_id UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  author_id TEXT NOT NULL,
  body TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX comments_task_idx ON comments (task_id, created_at);

-- Built asynchronously by the tasks-activity consumer (through the inbox), so no foreign keys.
CREATE TABLE activities (
  event_id UUID PRIMARY KEY,
  task_id UUID NOT NULL,
  board_id UUID NOT NULL,
  actor_id TEXT NOT NULL,
  type TEXT NOT NULL,
  summary TEXT NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX activities_task_idx ON activities (task_id, occurred_at);
