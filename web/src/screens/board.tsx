import {
  type Announcements,
  closestCorners,
  DndContext,
  type DragEndEvent,
  type DragOverEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  PointerSensor,
  TouchSensor,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import { sortableKeyboardCoordinates } from "@dnd-kit/sortable";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, etag, must, tasksApi } from "../api/client.ts";
import { type Board, type Card, fromV2, type Profile, type Task } from "../api/types.ts";
import { type Filters, inCard, matches, NO_FILTERS, place, positionFor, remove, type Tasks } from "../board-state.ts";
import { openLive } from "../live.ts";
import { nameOf, usePeople } from "../people.ts";
import { Column } from "../ui/column.tsx";
import { FilterBar } from "../ui/filter-bar.tsx";
import { ErrorNote, errorText } from "../ui/forms.tsx";
import { TaskPanel } from "../ui/task-panel.tsx";
import type { Recent } from "../ui/tile.tsx";
import { TileBody } from "../ui/tile.tsx";
import { toast } from "../ui/toasts.tsx";

/** A change on the board as the live stream sends it (one event of the board's event log). */
interface BoardChange {
  readonly position: string;
  readonly type: string;
  readonly version: number;
  readonly actor: string;
  readonly occurredAt: string;
  readonly data: {
    task?: Omit<Task, "version">;
    comment?: { taskId: string };
    previousAssigneeId?: string | null;
  };
}

/** A move the server refused because the view was stale: kept until the user decides. */
interface Conflict {
  readonly task: Task;
  readonly wantedCardId: string;
  readonly wantedPosition: number;
  readonly by: string;
  readonly at: string | undefined;
}

const WHAT: Record<string, string> = {
  "task-created": "Added",
  "task-moved": "Moved",
  "task-updated": "Edited",
  "task-assigned": "Assigned",
  "task-cancelled": "Cancelled",
};

/** How long a change by someone else stays marked on its tile. */
const RECENT_MS = 6000;

async function allTasks(boardId: string): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let page = 1; ; page++) {
    const { data } = await must(tasksApi.GET("/api/v2/tasks", { params: { query: { boardId, page, pageSize: 100 } } }));
    tasks.push(...data.items.map(fromV2));
    if (tasks.length >= data.total || data.items.length === 0) return tasks;
  }
}

export function BoardScreen(props: { boardId: string; me: Profile | undefined }) {
  const { boardId, me } = props;
  const [board, setBoard] = useState<Board | undefined>();
  const [cards, setCards] = useState<Card[]>([]);
  const [tasks, setTasks] = useState<Tasks>(new Map());
  const [comments, setComments] = useState<Record<string, number>>({});
  const [error, setError] = useState<string | undefined>();
  const [gone, setGone] = useState(false);
  const [live, setLive] = useState(false);
  const [recent, setRecent] = useState<Record<string, Recent>>({});
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const [conflicts, setConflicts] = useState<Conflict[]>([]);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [openTask, setOpenTask] = useState<string | undefined>(
    () => new URLSearchParams(location.search).get("task") ?? undefined,
  );
  const [dragging, setDragging] = useState<string | undefined>();
  /** During a drag: the columns as the pointer has rearranged them so far. */
  const [dragColumns, setDragColumns] = useState<Record<string, string[]> | undefined>();
  const tasksRef = useRef(tasks);
  tasksRef.current = tasks;

  const owner = board !== undefined && me !== undefined && board.ownerId === me.id;

  const loadCards = useCallback(async () => {
    const { data } = await must(tasksApi.GET("/api/v2/boards/{boardId}/cards", { params: { path: { boardId } } }));
    setCards([...data].sort((a, b) => a.position - b.position));
  }, [boardId]);

  const load = useCallback(async () => {
    try {
      const [b, , list, counts] = await Promise.all([
        must(tasksApi.GET("/api/v2/boards/{boardId}", { params: { path: { boardId } } })),
        loadCards(),
        allTasks(boardId),
        must(tasksApi.GET("/api/v2/boards/{boardId}/comment-counts", { params: { path: { boardId } } })),
      ]);
      setBoard(b.data);
      setTasks(new Map(list.map((t) => [t.id, t])));
      setComments(counts.data.counts);
      setError(undefined);
      performance.mark("taskflow:board-data");
    } catch (e) {
      setError(errorText(e));
    }
  }, [boardId, loadCards]);

  useEffect(() => {
    void load();
  }, [load]);

  // Effects run once the frame that shows the board was painted: this marks that moment (the benchmark reads it).
  useEffect(() => {
    if (board && tasks.size > 0) performance.mark("taskflow:board-painted");
  }, [board]);

  const markRecent = useCallback(async (taskId: string, actor: string, what: string) => {
    const by = await nameOf(actor);
    setRecent((r) => ({ ...r, [taskId]: { by, what } }));
    setTimeout(() => {
      setRecent((r) => {
        const { [taskId]: _gone, ...rest } = r;
        return rest;
      });
    }, RECENT_MS);
  }, []);

  // Live: every change on the board by anyone, applied as it comes.
  useEffect(() => {
    if (!board) return;
    return openLive(`/api/v2/boards/${boardId}/stream`, {
      onStatus: setLive,
      onFrame(frame) {
        if (frame.event !== "change") return;
        const change = frame.data as BoardChange;
        const snapshot = change.data.task;
        if (snapshot) {
          const known = tasksRef.current.get(snapshot.id);
          if (known && known.version >= change.version) return;
          const task = { ...snapshot, version: change.version } as Task;
          const lost = me && !owner && task.assigneeId !== me.id;
          setTasks((current) => (lost ? remove(current, task.id) : place(current, task)));
          if (me && change.actor !== me.id) void markRecent(task.id, change.actor, WHAT[change.type] ?? "Changed");
        } else if (change.type.startsWith("card-")) {
          void loadCards();
        } else if (change.data.comment) {
          const delta = change.type === "comment-added" ? 1 : change.type === "comment-deleted" ? -1 : 0;
          const id = change.data.comment.taskId;
          setComments((c) => ({ ...c, [id]: Math.max(0, (c[id] ?? 0) + delta) }));
        } else if (change.type === "board-deleted") {
          setGone(true);
        } else if (change.type === "board-renamed") {
          void load();
        }
      },
    });
  }, [board?.id, me?.id, owner]);

  const shown = useMemo(() => {
    const byCard: Record<string, string[]> = {};
    for (const card of cards)
      byCard[card.id] = inCard(tasks, card.id)
        .filter((t) => matches(t, filters))
        .map((t) => t.id);
    return byCard;
  }, [cards, tasks, filters]);
  const columns = dragColumns ?? shown;

  const names = usePeople([...tasks.values()].flatMap((t) => (t.assigneeId ? [t.assigneeId] : [])));

  /** Sends a move; the board already shows it. Conflicts and refusals put the task back where the server has it. */
  const sendMove = useCallback(
    async (task: Task, cardId: string, position: number) => {
      setTasks((current) => place(current, { ...task, cardId, position }));
      setPending((p) => new Set(p).add(task.id));
      const started = performance.now();
      try {
        const answer = await tasksApi.POST("/api/v2/tasks/{taskId}/move", {
          params: { path: { taskId: task.id }, header: { "If-Match": etag(task.version) } },
          body: { cardId, position },
        });
        if (answer.data) {
          const confirmed = fromV2(answer.data);
          setTasks((current) => place(current, confirmed));
          performance.measure("taskflow:drop-confirmed", { start: started, end: performance.now() });
          return;
        }
        const problem = (answer.error ?? {}) as { detail?: string };
        const current = await must(
          tasksApi.GET("/api/v2/tasks/{taskId}", { params: { path: { taskId: task.id } } }),
        ).then((r) => fromV2(r.data));
        setTasks((all) => place(all, current));
        if (answer.response.status === 412) {
          const { by, at } = await whoMoved(task.id);
          setConflicts((c) => [
            ...c.filter((x) => x.task.id !== task.id),
            { task: current, wantedCardId: cardId, wantedPosition: position, by, at },
          ]);
        } else {
          toast(problem.detail ?? `The move was refused (${answer.response.status}).`, "error", 9000);
        }
      } catch (e) {
        toast(errorText(e), "error");
        void load();
      } finally {
        setPending((p) => {
          const next = new Set(p);
          next.delete(task.id);
          return next;
        });
      }
    },
    [load],
  );

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 180, tolerance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates, keyboardCodes: keyboardCodes }),
  );

  const containerOf = (id: string, cols: Record<string, string[]>) =>
    id in cols ? id : Object.keys(cols).find((cardId) => cols[cardId]!.includes(id));

  const onDragStart = (event: DragStartEvent) => {
    setDragging(String(event.active.id));
    setDragColumns(shown);
  };

  const onDragOver = (event: DragOverEvent) => {
    const { active, over } = event;
    if (!over || !dragColumns) return;
    const from = containerOf(String(active.id), dragColumns);
    const to = containerOf(String(over.id), dragColumns);
    if (!from || !to || from === to) return;
    const target = dragColumns[to]!;
    const overIndex = target.indexOf(String(over.id));
    const index = overIndex >= 0 ? overIndex : target.length;
    setDragColumns({
      ...dragColumns,
      [from]: dragColumns[from]!.filter((id) => id !== active.id),
      [to]: [...target.slice(0, index), String(active.id), ...target.slice(index)],
    });
  };

  const onDragEnd = (event: DragEndEvent) => {
    const cols = dragColumns ?? shown;
    setDragging(undefined);
    setDragColumns(undefined);
    const { active, over } = event;
    const task = tasks.get(String(active.id));
    if (!over || !task) return;
    const to = containerOf(String(over.id), cols);
    if (!to) return;
    const list = cols[to]!.filter((id) => id !== task.id);
    const overIndex = list.indexOf(String(over.id));
    const index =
      overIndex >= 0 ? overIndex : cols[to]!.indexOf(task.id) >= 0 ? cols[to]!.indexOf(task.id) : list.length;
    const finalList = [...list.slice(0, index), task.id, ...list.slice(index)];
    const position = positionFor(inCard(tasks, to), finalList, index, task.id);
    if (to === task.cardId && position === task.position) return;
    void sendMove(task, to, position);
  };

  const cardName = (id: string) => cards.find((c) => c.id === id)?.name ?? "another column";
  const taskTitle = (id: string | number) => tasks.get(String(id))?.title ?? "task";
  const announcements: Announcements = {
    onDragStart: ({ active }) =>
      `Picked up ${taskTitle(active.id)}. Use the arrow keys to move it, Space to drop it, Escape to cancel.`,
    onDragOver: ({ active, over }) =>
      over
        ? `${taskTitle(active.id)} is over ${cardName(containerOf(String(over.id), columns) ?? "")}.`
        : `${taskTitle(active.id)} is not over a column.`,
    onDragEnd: ({ active, over }) =>
      over
        ? `${taskTitle(active.id)} dropped in ${cardName(containerOf(String(over.id), columns) ?? "")}.`
        : `${taskTitle(active.id)} put back.`,
    onDragCancel: ({ active }) => `Moving ${taskTitle(active.id)} was cancelled; it is back where it was.`,
  };

  const open = (id: string | undefined) => {
    setOpenTask(id);
    history.replaceState(null, "", id ? `/boards/${boardId}?task=${id}` : `/boards/${boardId}`);
  };

  if (gone) {
    return (
      <main class="page">
        <div class="empty">
          <h3>This board was deleted</h3>
          <p>
            <a href="/">Back to your boards</a>
          </p>
        </div>
      </main>
    );
  }
  if (error && !board) {
    return (
      <main class="page">
        <div class="alert error" role="alert">
          {error}
        </div>
        <p>
          <button type="button" onClick={load}>
            Try again
          </button>{" "}
          <a href="/">Back to your boards</a>
        </p>
      </main>
    );
  }
  if (!board) {
    return (
      <main class="board-page" aria-busy="true">
        <div class="board-head">
          <div class="skeleton">
            <h1 class="sr-only">Loading the board</h1>
            &nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;
          </div>
        </div>
        <div class="columns">
          {[0, 1, 2].map((i) => (
            <div key={i} class="column skeleton">
              <div class="column-body">&nbsp;</div>
            </div>
          ))}
        </div>
      </main>
    );
  }

  const tagsOnBoard = [...new Set([...tasks.values()].flatMap((t) => t.tags))].sort();
  const assignees = [...new Set([...tasks.values()].flatMap((t) => (t.assigneeId ? [t.assigneeId] : [])))];
  const active = dragging ? tasks.get(dragging) : undefined;
  const selected = openTask ? tasks.get(openTask) : undefined;

  return (
    <main class="board-page">
      <div class="board-head">
        <nav class="crumbs" aria-label="Breadcrumb">
          <a href="/">Boards</a>
          <span aria-hidden="true">/</span>
        </nav>
        <h1>{board.name}</h1>
        <span class="row small muted" title={live ? "Live: changes by others appear as they happen" : "Reconnecting…"}>
          <span class={`live-dot${live ? " on" : ""}`} aria-hidden="true" />
          <span data-testid="live">{live ? "Live" : "Connecting…"}</span>
        </span>
        <span class="spacer" />
        {!owner && (
          <span class="small muted">You can see the tasks assigned to you; only the owner rearranges the board.</span>
        )}
      </div>
      <FilterBar filters={filters} onChange={setFilters} tags={tagsOnBoard} assignees={assignees} names={names} />
      {conflicts.map((c) => (
        <div key={c.task.id} class="toast conflict" role="alert" data-testid="conflict">
          <strong>
            “{c.task.title}” was moved by {c.by} before your move reached the server.
          </strong>
          <span>
            It is now in <b>{cardName(c.task.cardId)}</b>
            {c.at ? ` (${new Date(c.at).toLocaleTimeString()})` : ""}. You moved it to <b>{cardName(c.wantedCardId)}</b>
            ; nothing was overwritten.
          </span>
          <div class="row">
            <button
              type="button"
              class="primary"
              onClick={() => {
                setConflicts((all) => all.filter((x) => x !== c));
                const latest = tasks.get(c.task.id) ?? c.task;
                void sendMove(latest, c.wantedCardId, c.wantedPosition);
              }}
            >
              Move it to {cardName(c.wantedCardId)} anyway
            </button>
            <button type="button" onClick={() => setConflicts((all) => all.filter((x) => x !== c))}>
              Keep it in {cardName(c.task.cardId)}
            </button>
          </div>
        </div>
      ))}
      {cards.length === 0 ? (
        <div class="empty">
          <h3>This board has no columns yet</h3>
          <p>Add columns such as “To do”, “Doing” and “Done”, then add tasks and drag them along.</p>
        </div>
      ) : null}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragEnd={onDragEnd}
        onDragCancel={() => {
          setDragging(undefined);
          setDragColumns(undefined);
        }}
        accessibility={{
          announcements,
          screenReaderInstructions: {
            draggable:
              "To pick up a task, press Space. While moving, use the arrow keys to move between positions and columns. Press Space again to drop it, or Escape to cancel.",
          },
        }}
      >
        <div class="columns">
          {cards.map((card) => (
            <Column
              key={card.id}
              card={card}
              tasks={(columns[card.id] ?? []).flatMap((id) => {
                const t = tasks.get(id);
                return t ? [t] : [];
              })}
              total={inCard(tasks, card.id).filter((t) => t.status !== "cancelled").length}
              names={names}
              comments={comments}
              recent={recent}
              pending={pending}
              canEdit={owner}
              onOpen={(task) => open(task.id)}
              onAdd={async (title) => {
                const { data } = await must(
                  tasksApi.POST("/api/v2/boards/{boardId}/tasks", {
                    params: { path: { boardId } },
                    body: { cardId: card.id, title },
                  }),
                );
                setTasks((current) => place(current, fromV2(data)));
              }}
              onWip={async (wipLimit) => {
                await must(
                  tasksApi.PATCH("/api/v2/cards/{cardId}", {
                    params: { path: { cardId: card.id }, header: { "If-Match": etag(card.version) } },
                    body: { wipLimit },
                  }),
                );
                await loadCards();
              }}
            />
          ))}
          {owner && <NewColumn boardId={boardId} onAdded={loadCards} startOpen={cards.length === 0} />}
        </div>
        <DragOverlay dropAnimation={null}>
          {active ? (
            <div class="tile overlay">
              <TileBody
                task={active}
                assignee={active.assigneeId ? names[active.assigneeId] : undefined}
                comments={comments[active.id] ?? 0}
              />
            </div>
          ) : null}
        </DragOverlay>
      </DndContext>
      {selected && (
        <TaskPanel
          task={selected}
          cards={cards}
          me={me}
          owner={owner}
          names={names}
          onClose={() => open(undefined)}
          onChanged={(task) => setTasks((current) => place(current, task))}
          onMove={(cardId) => sendMove(selected, cardId, inCard(tasks, cardId).length)}
          onComments={(count) => setComments((c) => ({ ...c, [selected.id]: count }))}
        />
      )}
    </main>
  );
}

/** Space picks up and drops; Enter stays free to open the task. */
const keyboardCodes = { start: ["Space"], cancel: ["Escape"], end: ["Space"] };

/** Who last moved a task, from its activity history. */
async function whoMoved(taskId: string): Promise<{ by: string; at: string | undefined }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { data } = await tasksApi.GET("/api/v2/tasks/{taskId}/activities", {
      params: { path: { taskId }, query: { pageSize: 100 } },
    });
    const moves = (data?.items ?? []).filter((a) => a.type === "task-moved");
    const last = moves[moves.length - 1];
    if (last) return { by: await nameOf(last.actorId), at: last.occurredAt };
    // The history is written from the published events, a moment after the change.
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return { by: "someone else", at: undefined };
}

function NewColumn(props: { boardId: string; onAdded: () => Promise<void>; startOpen: boolean }) {
  const [error, setError] = useState<string | undefined>();
  const [open, setOpen] = useState(props.startOpen);
  if (!open) {
    return (
      <button type="button" class="add-column" onClick={() => setOpen(true)}>
        + Add a column
      </button>
    );
  }
  return (
    <form
      class="column new-column stack"
      aria-label="Add a column"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = e.currentTarget as HTMLFormElement;
        const data = new FormData(form);
        const wip = String(data.get("wipLimit") ?? "").trim();
        try {
          await must(
            tasksApi.POST("/api/v2/boards/{boardId}/cards", {
              params: { path: { boardId: props.boardId } },
              body: {
                name: String(data.get("name") ?? "").trim(),
                type: String(data.get("type")) as Card["type"],
                ...(wip ? { wipLimit: Number(wip) } : {}),
              },
            }),
          );
          form.reset();
          setError(undefined);
          await props.onAdded();
        } catch (err) {
          setError(err instanceof ApiError ? err.message : errorText(err));
        }
      }}
    >
      <div class="column-body">
        <h2 class="section-title">New column</h2>
        <label>
          Name
          <input name="name" required placeholder="e.g. Doing" />
        </label>
        <label>
          Kind
          <select name="type" defaultValue="todo">
            <option value="backlog">Backlog</option>
            <option value="todo">To do</option>
            <option value="doing">Doing</option>
            <option value="done">Done</option>
          </select>
        </label>
        <label>
          WIP limit (optional)
          <input name="wipLimit" type="number" min={1} placeholder="No limit" />
        </label>
        <ErrorNote text={error} />
        <div class="row">
          <button type="submit" class="primary">
            Add column
          </button>
          <button type="button" class="ghost" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
      </div>
    </form>
  );
}
