import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { Task } from "../api/types.ts";
import { isOverdue } from "../board-state.ts";
import { initials } from "../people.ts";
import { CalendarIcon, CommentIcon } from "./icons.tsx";

export interface Recent {
  readonly by: string;
  readonly what: string;
}

const dueText = (iso: string) => new Date(iso).toLocaleDateString(undefined, { month: "short", day: "numeric" });

/** One task on the board: title, priority, assignee, due date (red when overdue), tags, comments. */
export function TileBody(props: {
  task: Task;
  assignee: string | undefined;
  comments: number;
  recent?: Recent | undefined;
}) {
  const { task } = props;
  const overdue = isOverdue(task);
  return (
    <>
      <span class="tile-title">{task.title}</span>
      <span class="tile-meta">
        <span class={`badge ${task.priority}`}>{task.priority}</span>
        {task.dueDate && (
          <span class={`due${overdue ? " overdue" : ""}`}>
            <CalendarIcon /> {overdue ? "Overdue · " : ""}
            {dueText(task.dueDate)}
          </span>
        )}
        {props.comments > 0 && (
          <span class="row tight" title={`${props.comments} comments`}>
            <CommentIcon /> {props.comments}
            <span class="sr-only"> comments</span>
          </span>
        )}
        <span class="spacer" />
        {task.assigneeId && (
          <span
            class="avatar"
            title={props.assignee}
            role="img"
            aria-label={`Assigned to ${props.assignee ?? "someone"}`}
          >
            {initials(props.assignee)}
          </span>
        )}
      </span>
      {task.tags.length > 0 && (
        <span class="tile-meta">
          {task.tags.map((tag) => (
            <span key={tag} class="tag">
              {tag}
            </span>
          ))}
        </span>
      )}
      {props.recent && (
        <span class="recent-note">
          {props.recent.what} by {props.recent.by}
        </span>
      )}
    </>
  );
}

export function Tile(props: {
  task: Task;
  assignee: string | undefined;
  comments: number;
  recent: Recent | undefined;
  pending: boolean;
  canDrag: boolean;
  onOpen: () => void;
}) {
  const { task } = props;
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: task.id,
    data: { cardId: task.cardId },
    disabled: !props.canDrag,
  });
  const style = { transform: CSS.Transform.toString(transform), transition };
  const classes = ["tile", isDragging && "dragging", props.recent && "recent", props.pending && "pending"];
  return (
    // biome-ignore lint/a11y/useSemanticElements: a draggable tile; a <button> would also fire a click on the Space that drops it
    // biome-ignore lint/a11y/useFocusableInteractive: dnd-kit's attributes give it tabIndex 0
    <div
      ref={setNodeRef}
      style={style}
      class={classes.filter(Boolean).join(" ")}
      data-task-id={task.id}
      data-testid="tile"
      {...(attributes as unknown as Record<string, string>)}
      {...listeners}
      role="button"
      aria-roledescription="task"
      onClick={props.onOpen}
      onKeyDown={(event: KeyboardEvent) => {
        if (event.key === "Enter") props.onOpen();
        else (listeners?.onKeyDown as ((e: KeyboardEvent) => void) | undefined)?.(event);
      }}
    >
      <TileBody task={task} assignee={props.assignee} comments={props.comments} recent={props.recent} />
    </div>
  );
}
