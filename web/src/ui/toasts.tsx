import { useEffect, useState } from "preact/hooks";

/** Short messages at the bottom of the screen, announced to screen readers. */

export interface Toast {
  readonly id: number;
  readonly text: string;
  readonly kind: "info" | "error";
}

let next = 1;
let current: Toast[] = [];
const listeners = new Set<(toasts: Toast[]) => void>();

export function toast(text: string, kind: Toast["kind"] = "info", ms = 6000): void {
  const item = { id: next++, text, kind };
  current = [...current, item];
  for (const l of listeners) l(current);
  setTimeout(() => {
    current = current.filter((t) => t !== item);
    for (const l of listeners) l(current);
  }, ms);
}

export function Toasts() {
  const [toasts, setToasts] = useState(current);
  useEffect(() => {
    listeners.add(setToasts);
    return () => listeners.delete(setToasts);
  }, []);
  return (
    <div class="toast-area" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} class={`toast ${t.kind}`} role={t.kind === "error" ? "alert" : undefined}>
          {t.text}
        </div>
      ))}
    </div>
  );
}
