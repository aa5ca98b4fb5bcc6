import { useDroppable } from "@dnd-kit/core";
import { SortableContext, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { useState } from "preact/hooks";
import type { Card, Task } from "../api/types.ts";
import { ErrorNote, errorText } from "./forms.tsx";
import { type Recent, Tile } from "./tile.tsx";

/** A card of the board as a column: its name, how many tasks it holds against its WIP limit, its tiles. */
export function Column(props: {
  card: Card;
  tasks: readonly Task[];
  total: number;
  names: Record<string, string>;
  comments: Record<string, number>;
  recent: Record<string, Recent>;
  pending: ReadonlySet<string>;
  canEdit: boolean;
  onOpen: (task: Task) => void;
  onAdd: (title: string) => Promise<void>;
  onWip: (limit: number | null) => Promise<void>;
}) {
  const { card } = props;
  const { setNodeRef, isOver } = useDroppable({ id: card.id, data: { cardId: card.id } });
  const [adding, setAdding] = useState(false);
  const [editingWip, setEditingWip] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const full = card.wipLimit !== null && props.total >= card.wipLimit;
  const headingId = `col-${card.id}`;

  return (
    <section
      class={`column${full ? " full" : ""}${isOver ? " over" : ""}`}
      aria-labelledby={headingId}
      data-testid="column"
      data-card-id={card.id}
    >
      <div class="column-head">
        <h2 id={headingId}>{card.name}</h2>
        <span class="count">
          {card.wipLimit ? `${props.total} / ${card.wipLimit}` : props.total}
          <span class="sr-only">{card.wipLimit ? ` tasks, limit ${card.wipLimit}` : " tasks"}</span>
        </span>
        <span class="spacer" />
        {props.canEdit && (
          <button
            type="button"
            class="ghost small"
            onClick={() => setEditingWip(!editingWip)}
            aria-expanded={editingWip}
          >
            WIP
          </button>
        )}
      </div>
      {editingWip && (
        <form
          class="row"
          onSubmit={async (e) => {
            e.preventDefault();
            const raw = String(new FormData(e.currentTarget as HTMLFormElement).get("limit") ?? "").trim();
            try {
              await props.onWip(raw === "" ? null : Number(raw));
              setEditingWip(false);
              setError(undefined);
            } catch (err) {
              setError(errorText(err));
            }
          }}
        >
          <input
            name="limit"
            type="number"
            min={1}
            aria-label={`WIP limit for ${card.name} (empty for none)`}
            placeholder="No limit"
            defaultValue={card.wipLimit === null ? "" : String(card.wipLimit)}
          />
          <button type="submit">Set</button>
        </form>
      )}
      <SortableContext id={card.id} items={props.tasks.map((t) => t.id)} strategy={verticalListSortingStrategy}>
        <div ref={setNodeRef} class="column-body">
          {props.tasks.length === 0 && <div class="column-empty">No tasks here</div>}
          {props.tasks.map((task) => (
            <Tile
              key={task.id}
              task={task}
              assignee={task.assigneeId ? props.names[task.assigneeId] : undefined}
              comments={props.comments[task.id] ?? 0}
              recent={props.recent[task.id]}
              pending={props.pending.has(task.id)}
              canDrag={props.canEdit}
              onOpen={() => props.onOpen(task)}
            />
          ))}
        </div>
      </SortableContext>
      <ErrorNote text={error} />
      {props.canEdit &&
        (adding ? (
          <form
            class="stack"
            onSubmit={async (e) => {
              e.preventDefault();
              const form = e.currentTarget as HTMLFormElement;
              const title = String(new FormData(form).get("title") ?? "").trim();
              if (!title) return;
              try {
                await props.onAdd(title);
                form.reset();
                setError(undefined);
              } catch (err) {
                setError(errorText(err));
              }
            }}
          >
            <div class="column-body">
              <input name="title" aria-label={`New task title in ${card.name}`} placeholder="Task title" required />
              <div class="row">
                <button type="submit" class="primary">
                  Add task
                </button>
                <button type="button" class="ghost" onClick={() => setAdding(false)}>
                  Done
                </button>
              </div>
            </div>
          </form>
        ) : (
          <button type="button" class="add-task" onClick={() => setAdding(true)}>
            + Add a task
          </button>
        ))}
    </section>
  );
}
