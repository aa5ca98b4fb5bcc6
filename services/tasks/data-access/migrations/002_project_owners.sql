-- Projects as the users service announces them on user-events (consumer tasks-user-events, through the
-- inbox): a board may only be created in a live project its caller owns. Not named `projects`: in the
-- cloud every service shares one database, where the users service's own `projects` table lives.
-- Fed by another service's events, not by the tasks event log, so a tasks replay leaves it as it is.

CREATE TABLE project_owners (
  id UUID PRIMARY KEY,
  -- NULL only for a tombstone written from an old project-deleted event that did not name it.
  organization_id UUID,
  owner_id TEXT NOT NULL,
  -- A tombstone: a deleted project stays so that an event arriving late cannot bring it back.
  deleted BOOLEAN NOT NULL DEFAULT false,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_owners_organization_idx ON project_owners (organization_id);

-- Deleting an organization deletes its projects without an event each; a project-created event that
-- arrives after its organization's deletion (another stream, so no order between them) is born deleted.
CREATE TABLE deleted_organizations (
  id UUID PRIMARY KEY,
  deleted_at TIMESTAMPTZ NOT NULL
);
