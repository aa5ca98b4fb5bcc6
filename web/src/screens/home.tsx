import { useCallback, useEffect, useState } from "preact/hooks";
import { etag, must, tasksApi, usersApi } from "../api/client.ts";
import type { Board, Organization, Profile, Project } from "../api/types.ts";
import { CreateByName, ErrorNote, errorText, NameActions } from "../ui/forms.tsx";

/** Organizations, their projects and each project's boards; plus boards you are assigned on. */
export function Home(props: { me: Profile | undefined }) {
  const [orgs, setOrgs] = useState<Organization[] | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      const { data } = await must(usersApi.GET("/api/v1/organizations", { params: { query: { pageSize: 100 } } }));
      setOrgs(data.items);
      setSelected((current) => current ?? data.items[0]?.id);
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const org = orgs?.find((o) => o.id === selected);
  return (
    <main class="page stack">
      <div class="row">
        <h1>{props.me ? `Welcome, ${props.me.displayName}` : "Welcome"}</h1>
      </div>
      {error && (
        <div class="alert error" role="alert">
          {error}{" "}
          <button type="button" onClick={load}>
            Retry
          </button>
        </div>
      )}
      <div class="grid-2">
        <aside class="card-surface stack" aria-label="Organizations">
          <h2 class="section-title">Organizations</h2>
          {orgs === undefined ? (
            <div class="skeleton" role="status" aria-label="Loading organizations">
              &nbsp;
            </div>
          ) : orgs.length === 0 ? (
            <p class="small muted">No organization yet. Create one to hold your projects.</p>
          ) : (
            <ul class="list">
              {orgs.map((o) => (
                <li key={o.id}>
                  <button
                    type="button"
                    class="list-item"
                    aria-current={o.id === selected}
                    onClick={() => setSelected(o.id)}
                  >
                    {o.name}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <CreateByName
            label="New organization name"
            placeholder="e.g. Acme"
            submitText="Create"
            onCreate={async (name) => {
              const { data } = await must(usersApi.POST("/api/v1/organizations", { body: { name } }));
              setSelected(data.id);
              await load();
            }}
          />
        </aside>
        <section class="stack">
          {org ? (
            <OrganizationView key={org.id} org={org} onChanged={load} />
          ) : orgs && orgs.length === 0 ? (
            <div class="empty">
              <h3>Start with an organization</h3>
              <p>An organization holds projects; each project holds boards. Name one on the left to begin.</p>
            </div>
          ) : null}
          <AssignedBoards />
        </section>
      </div>
    </main>
  );
}

function OrganizationView(props: { org: Organization; onChanged: () => Promise<void> }) {
  const { org } = props;
  const [projects, setProjects] = useState<Project[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(async () => {
    try {
      const { data } = await must(
        usersApi.GET("/api/v1/organizations/{organizationId}/projects", {
          params: { path: { organizationId: org.id }, query: { pageSize: 100 } },
        }),
      );
      setProjects(data.items);
    } catch (e) {
      setError(errorText(e));
    }
  }, [org.id]);
  useEffect(() => void load(), [load]);

  return (
    <div class="card-surface stack">
      <div class="row">
        <h2>{org.name}</h2>
        <span class="spacer" />
        <NameActions
          name={org.name}
          what="organization"
          onRename={async (name) => {
            await must(
              usersApi.PATCH("/api/v1/organizations/{organizationId}", {
                params: { path: { organizationId: org.id }, header: { "If-Match": etag(org.version) } },
                body: { name },
              }),
            );
            await props.onChanged();
          }}
          onDelete={async () => {
            await must(
              usersApi.DELETE("/api/v1/organizations/{organizationId}", {
                params: { path: { organizationId: org.id }, header: { "If-Match": etag(org.version) } },
              }),
            );
            await props.onChanged();
          }}
        />
      </div>
      <ErrorNote text={error} />
      {projects === undefined ? (
        <div class="skeleton" role="status" aria-label="Loading projects">
          &nbsp;
        </div>
      ) : projects.length === 0 ? (
        <div class="empty">
          <h3>No projects yet</h3>
          <p>Projects group the boards of one piece of work.</p>
        </div>
      ) : (
        projects.map((p) => <ProjectView key={p.id} project={p} onChanged={load} />)
      )}
      <CreateByName
        label="New project name"
        placeholder="e.g. Website relaunch"
        submitText="Add project"
        onCreate={async (name) => {
          await must(
            usersApi.POST("/api/v1/organizations/{organizationId}/projects", {
              params: { path: { organizationId: org.id } },
              body: { name },
            }),
          );
          await load();
        }}
      />
    </div>
  );
}

function ProjectView(props: { project: Project; onChanged: () => Promise<void> }) {
  const { project } = props;
  const [boards, setBoards] = useState<Board[] | undefined>();
  const load = useCallback(async () => {
    const { data } = await tasksApi.GET("/api/v2/boards", {
      params: { query: { projectId: project.id, pageSize: 100 } },
    });
    setBoards(data?.items ?? []);
  }, [project.id]);
  useEffect(() => void load(), [load]);

  return (
    <section class="project stack" aria-label={`Project ${project.name}`}>
      <div class="row">
        <h3>{project.name}</h3>
        <span class="spacer" />
        <NameActions
          name={project.name}
          what="project"
          onRename={async (name) => {
            await must(
              usersApi.PATCH("/api/v1/projects/{projectId}", {
                params: { path: { projectId: project.id }, header: { "If-Match": etag(project.version) } },
                body: { name },
              }),
            );
            await props.onChanged();
          }}
          onDelete={async () => {
            await must(
              usersApi.DELETE("/api/v1/projects/{projectId}", {
                params: { path: { projectId: project.id }, header: { "If-Match": etag(project.version) } },
              }),
            );
            await props.onChanged();
          }}
        />
      </div>
      {boards && boards.length > 0 ? (
        <div class="board-tiles">
          {boards.map((b) => (
            <a key={b.id} class="board-tile" href={`/boards/${b.id}`}>
              {b.name}
            </a>
          ))}
        </div>
      ) : boards ? (
        <p class="small muted">No boards in this project yet.</p>
      ) : null}
      <CreateByName
        label={`New board name in ${project.name}`}
        placeholder="e.g. Sprint 1"
        submitText="Create board"
        onCreate={async (name) => {
          await must(tasksApi.POST("/api/v2/boards", { body: { projectId: project.id, name } }));
          await load();
        }}
      />
    </section>
  );
}

/** Boards of other people where a task is assigned to you. */
function AssignedBoards() {
  const [boards, setBoards] = useState<Board[]>([]);
  useEffect(() => {
    void (async () => {
      const me = await usersApi.GET("/api/v1/users/me");
      if (!me.data) return;
      const { data } = await tasksApi.GET("/api/v2/tasks", {
        params: { query: { assigneeId: me.data.id, pageSize: 100 } },
      });
      const ids = [...new Set((data?.items ?? []).map((t) => t.boardId))];
      const found = await Promise.all(
        ids.map((boardId) => tasksApi.GET("/api/v2/boards/{boardId}", { params: { path: { boardId } } })),
      );
      setBoards(found.flatMap((f) => (f.data && f.data.ownerId !== me.data.id ? [f.data] : [])));
    })();
  }, []);
  if (boards.length === 0) return null;
  return (
    <div class="card-surface stack">
      <h2 class="section-title">Boards you are assigned on</h2>
      <div class="board-tiles">
        {boards.map((b) => (
          <a key={b.id} class="board-tile" href={`/boards/${b.id}`}>
            {b.name}
          </a>
        ))}
      </div>
    </div>
  );
}
