import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { etag, must, tasksApi, usersApi } from "../api/client.ts";
import { type Activity, type Card, type Comment, fromV2, type Profile, type Task } from "../api/types.ts";
import { usePeople } from "../people.ts";
import { ErrorNote, errorText } from "./forms.tsx";

/** Date input value (local day) for an ISO time, and back: due at the end of that day. */
const toDay = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString("en-CA") : "");
const fromDay = (day: string) => (day ? new Date(`${day}T23:59:00`).toISOString() : null);

/** Everything about one task: every field, its comments (yours to edit), and its history. */
export function TaskPanel(props: {
  task: Task;
  cards: readonly Card[];
  me: Profile | undefined;
  owner: boolean;
  names: Record<string, string>;
  onClose: () => void;
  onChanged: (task: Task) => void;
  onMove: (cardId: string) => Promise<void>;
  onComments: (count: number) => void;
}) {
  const { task, owner } = props;
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const [comments, setComments] = useState<Comment[] | undefined>();
  const [activity, setActivity] = useState<Activity[] | undefined>();
  const closeRef = useRef<HTMLButtonElement>(null);

  const loadSide = useCallback(async () => {
    const [c, a] = await Promise.all([
      tasksApi.GET("/api/v2/tasks/{taskId}/comments", {
        params: { path: { taskId: task.id }, query: { pageSize: 100 } },
      }),
      tasksApi.GET("/api/v2/tasks/{taskId}/activities", {
        params: { path: { taskId: task.id }, query: { pageSize: 100 } },
      }),
    ]);
    setComments(c.data?.items ?? []);
    setActivity(a.data?.items ?? []);
    if (c.data) props.onComments(c.data.total);
  }, [task.id]);

  useEffect(() => {
    void loadSide();
  }, [loadSide, task.version]);
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  const people = usePeople([...(comments ?? []).map((c) => c.authorId), ...(activity ?? []).map((a) => a.actorId)]);
  const who = (id: string) => (props.me && id === props.me.id ? "You" : (people[id] ?? props.names[id] ?? "Someone"));

  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const title = String(form.get("title") ?? "").trim();
    const description = String(form.get("description") ?? "").trim() || null;
    const priority = String(form.get("priority")) as Task["priority"];
    const dueDate = fromDay(String(form.get("dueDate") ?? ""));
    const tags = String(form.get("tags") ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    const assigneeEmail = String(form.get("assignee") ?? "").trim();
    const changes = {
      ...(title !== task.title ? { title } : {}),
      ...(description !== task.description ? { description } : {}),
      ...(priority !== task.priority ? { priority } : {}),
      ...(toDay(dueDate) !== toDay(task.dueDate) ? { dueDate } : {}),
      ...(tags.join(",") !== task.tags.join(",") ? { tags } : {}),
    };
    try {
      let current = task;
      if (Object.keys(changes).length > 0) {
        const { data } = await must(
          tasksApi.PATCH("/api/v2/tasks/{taskId}", {
            params: { path: { taskId: task.id }, header: { "If-Match": etag(current.version) } },
            body: changes,
          }),
        );
        current = fromV2(data);
      }
      const assigneeId = assigneeEmail ? await personByEmail(assigneeEmail) : current.assigneeId;
      if (assigneeId !== current.assigneeId) {
        const { data } = await must(
          tasksApi.POST("/api/v2/tasks/{taskId}/assign", {
            params: { path: { taskId: task.id }, header: { "If-Match": etag(current.version) } },
            body: { assigneeId },
          }),
        );
        current = fromV2(data);
      }
      props.onChanged(current);
      setError(undefined);
      setSaved(true);
      setTimeout(() => setSaved(false), 2500);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const unassign = async () => {
    try {
      const { data } = await must(
        tasksApi.POST("/api/v2/tasks/{taskId}/assign", {
          params: { path: { taskId: task.id }, header: { "If-Match": etag(task.version) } },
          body: { assigneeId: null },
        }),
      );
      props.onChanged(fromV2(data));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const cancelTask = async () => {
    try {
      const { data } = await must(
        tasksApi.POST("/api/v2/tasks/{taskId}/cancel", {
          params: { path: { taskId: task.id }, header: { "If-Match": etag(task.version) } },
          body: {},
        }),
      );
      props.onChanged(fromV2(data));
      props.onClose();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const readOnly = !owner || task.status === "cancelled";
  return (
    <>
      <div class="backdrop" onClick={props.onClose} aria-hidden="true" />
      <div class="panel" role="dialog" aria-modal="true" aria-labelledby="panel-title" data-testid="task-panel">
        <div class="panel-head">
          <h2 id="panel-title">{task.title}</h2>
          <span class="spacer" />
          <button ref={closeRef} type="button" class="ghost" onClick={props.onClose} aria-label="Close the task">
            ✕
          </button>
        </div>
        <div class="panel-body">
          <form class="stack" onSubmit={save} key={`${task.id}:${task.version}`}>
            <label>
              Title
              <input name="title" defaultValue={task.title} required minLength={3} maxLength={50} disabled={readOnly} />
            </label>
            <label>
              Description
              <textarea name="description" defaultValue={task.description ?? ""} maxLength={2048} disabled={readOnly} />
            </label>
            <div class="field-row">
              <label>
                Priority
                <select name="priority" defaultValue={task.priority} disabled={readOnly}>
                  <option value="low">Low</option>
                  <option value="medium">Medium</option>
                  <option value="high">High</option>
                  <option value="critical">Critical</option>
                </select>
              </label>
              <label>
                Due date
                <input name="dueDate" type="date" defaultValue={toDay(task.dueDate)} disabled={readOnly} />
              </label>
            </div>
            <div class="field-row">
              <label>
                Column
                <select
                  name="card"
                  value={task.cardId}
                  disabled={readOnly}
                  onChange={(e) => void props.onMove((e.currentTarget as HTMLSelectElement).value)}
                >
                  {props.cards.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Assignee (email)
                <input
                  name="assignee"
                  type="email"
                  placeholder={task.assigneeId ? (props.names[task.assigneeId] ?? "Assigned") : "Unassigned"}
                  defaultValue={task.assigneeId && props.me && task.assigneeId === props.me.id ? props.me.email : ""}
                  disabled={readOnly}
                />
              </label>
            </div>
            <label>
              Tags (comma separated)
              <input name="tags" defaultValue={task.tags.join(", ")} disabled={readOnly} />
            </label>
            {task.assigneeId && (
              <div class="row small muted">
                <span>Assigned to {who(task.assigneeId)}.</span>
                {!readOnly && (
                  <button type="button" class="ghost small" onClick={unassign}>
                    Unassign
                  </button>
                )}
              </div>
            )}
            <ErrorNote text={error} />
            {!readOnly && (
              <div class="row">
                <button type="submit" class="primary">
                  Save changes
                </button>
                {saved && (
                  <span class="small muted" role="status">
                    Saved
                  </span>
                )}
                <span class="spacer" />
                {task.status !== "done" && (
                  <button type="button" class="danger" onClick={cancelTask}>
                    Cancel task
                  </button>
                )}
              </div>
            )}
          </form>

          <section class="stack" aria-labelledby="comments-title">
            <h3 id="comments-title" class="section-title">
              Comments
            </h3>
            {comments === undefined ? (
              <div class="skeleton">&nbsp;</div>
            ) : comments.length === 0 ? (
              <p class="small muted">No comments yet.</p>
            ) : (
              comments.map((c) => (
                <CommentItem
                  key={`${c.id}:${c.version}`}
                  comment={c}
                  who={who(c.authorId)}
                  mine={c.authorId === props.me?.id}
                  onChanged={loadSide}
                />
              ))
            )}
            <form
              class="stack"
              onSubmit={async (e) => {
                e.preventDefault();
                const form = e.currentTarget as HTMLFormElement;
                const body = String(new FormData(form).get("body") ?? "").trim();
                if (!body) return;
                try {
                  await must(
                    tasksApi.POST("/api/v2/tasks/{taskId}/comments", {
                      params: { path: { taskId: task.id } },
                      body: { body },
                    }),
                  );
                  form.reset();
                  await loadSide();
                } catch (err) {
                  setError(errorText(err));
                }
              }}
            >
              <label>
                Add a comment
                <textarea name="body" maxLength={512} required placeholder="Write a comment…" />
              </label>
              <div class="row">
                <button type="submit">Comment</button>
              </div>
            </form>
          </section>

          <section class="stack" aria-labelledby="activity-title">
            <h3 id="activity-title" class="section-title">
              Activity
            </h3>
            {activity === undefined ? (
              <div class="skeleton">&nbsp;</div>
            ) : activity.length === 0 ? (
              <p class="small muted">Nothing yet.</p>
            ) : (
              <ol class="list">
                {activity.map((a) => (
                  <li key={a.eventId} class="activity">
                    <span class="muted">{new Date(a.occurredAt).toLocaleString()}</span>
                    <span>
                      <b>{who(a.actorId)}</b> {a.summary}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      </div>
    </>
  );
}

/** The id of the person with this email; the API's words when nobody has it. */
async function personByEmail(email: string): Promise<string> {
  const { data, error } = await usersApi.GET("/api/v1/users", { params: { query: { email } } });
  if (data) return data.id;
  throw new Error((error as { detail?: string } | undefined)?.detail ?? `nobody has the email ${email}`);
}

function CommentItem(props: { comment: Comment; who: string; mine: boolean; onChanged: () => Promise<void> }) {
  const { comment } = props;
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setEditing(false);
      await props.onChanged();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="comment stack tight" data-testid="comment">
      <div class="row small">
        <b>{props.who}</b>
        <span class="muted">{new Date(comment.createdAt).toLocaleString()}</span>
        {comment.updatedAt !== comment.createdAt && <span class="muted">(edited)</span>}
        <span class="spacer" />
        {props.mine && !editing && (
          <>
            <button type="button" class="ghost small" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button
              type="button"
              class="ghost danger small"
              onClick={() =>
                void run(() =>
                  must(
                    tasksApi.DELETE("/api/v2/comments/{commentId}", {
                      params: { path: { commentId: comment.id }, header: { "If-Match": etag(comment.version) } },
                    }),
                  ),
                )
              }
            >
              Delete
            </button>
          </>
        )}
      </div>
      {editing ? (
        <form
          class="stack tight"
          onSubmit={(e) => {
            e.preventDefault();
            const body = String(new FormData(e.currentTarget as HTMLFormElement).get("body") ?? "").trim();
            void run(() =>
              must(
                tasksApi.PATCH("/api/v2/comments/{commentId}", {
                  params: { path: { commentId: comment.id }, header: { "If-Match": etag(comment.version) } },
                  body: { body },
                }),
              ),
            );
          }}
        >
          <textarea name="body" aria-label="Edit your comment" defaultValue={comment.body} maxLength={512} required />
          <div class="row">
            <button type="submit" class="primary">
              Save
            </button>
            <button type="button" class="ghost" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p>{comment.body}</p>
      )}
      <ErrorNote text={error} />
    </div>
  );
}
