import type { Filters } from "../board-state.ts";

/** Filters by assignee, priority, tag and due date, plus a search over titles, descriptions and tags. */
export function FilterBar(props: {
  filters: Filters;
  onChange: (f: Filters) => void;
  tags: readonly string[];
  assignees: readonly string[];
  names: Record<string, string>;
}) {
  const { filters: f } = props;
  const set = (patch: Partial<Filters>) => props.onChange({ ...f, ...patch });
  const active = Object.values(f).some(Boolean);
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not yet in Preact's element types
    <div class="filters" role="search" aria-label="Filter tasks">
      <input
        type="search"
        placeholder="Search tasks"
        aria-label="Search tasks"
        value={f.search}
        onInput={(e) => set({ search: (e.currentTarget as HTMLInputElement).value })}
      />
      <select
        aria-label="Assignee"
        value={f.assignee}
        onChange={(e) => set({ assignee: (e.currentTarget as HTMLSelectElement).value })}
      >
        <option value="">Anyone</option>
        <option value="none">Unassigned</option>
        {props.assignees.map((id) => (
          <option key={id} value={id}>
            {props.names[id] ?? "…"}
          </option>
        ))}
      </select>
      <select
        aria-label="Priority"
        value={f.priority}
        onChange={(e) => set({ priority: (e.currentTarget as HTMLSelectElement).value })}
      >
        <option value="">Any priority</option>
        <option value="critical">Critical</option>
        <option value="high">High</option>
        <option value="medium">Medium</option>
        <option value="low">Low</option>
      </select>
      <select
        aria-label="Tag"
        value={f.tag}
        onChange={(e) => set({ tag: (e.currentTarget as HTMLSelectElement).value })}
      >
        <option value="">Any tag</option>
        {props.tags.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <select
        aria-label="Due date"
        value={f.due}
        onChange={(e) => set({ due: (e.currentTarget as HTMLSelectElement).value as Filters["due"] })}
      >
        <option value="">Any due date</option>
        <option value="overdue">Overdue</option>
        <option value="week">Due within a week</option>
        <option value="none">No due date</option>
      </select>
      {active && (
        <button
          type="button"
          class="ghost"
          onClick={() => props.onChange({ search: "", assignee: "", priority: "", tag: "", due: "" })}
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
