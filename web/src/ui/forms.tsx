import { useState } from "preact/hooks";
import { ApiError } from "../api/client.ts";

/** Small form pieces every screen uses: create-by-name, rename/delete in place. */

export function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : "Something went wrong; try again.";
}

/** A problem to show in place, in the API's words; nothing when there is none. */
export function ErrorNote(props: { text: string | undefined }) {
  if (!props.text) return null;
  return (
    <div class="alert error" role="alert">
      {props.text}
    </div>
  );
}

/** A one-field form that creates something by name, showing the API's refusal in place. */
export function CreateByName(props: {
  label: string;
  placeholder: string;
  submitText: string;
  onCreate: (name: string) => Promise<unknown>;
}) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get("name") ?? "").trim();
    if (!name) return;
    setBusy(true);
    try {
      await props.onCreate(name);
      form.reset();
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="stack" onSubmit={submit} aria-label={props.label}>
      <div class="row">
        <input name="name" aria-label={props.label} placeholder={props.placeholder} required minLength={1} />
        <button type="submit" disabled={busy}>
          {props.submitText}
        </button>
      </div>
      <ErrorNote text={error} />
    </form>
  );
}

/** A name with rename and delete (delete asks once more in place). */
export function NameActions(props: {
  name: string;
  what: string;
  onRename: (name: string) => Promise<unknown>;
  onDelete: () => Promise<unknown>;
}) {
  const [mode, setMode] = useState<"view" | "rename" | "confirm">("view");
  const [error, setError] = useState<string | undefined>();
  const run = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setMode("view");
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="stack tight">
      {mode === "rename" ? (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            const name = String(new FormData(e.currentTarget as HTMLFormElement).get("name") ?? "").trim();
            void run(() => props.onRename(name));
          }}
        >
          <input name="name" aria-label={`New name for ${props.what}`} defaultValue={props.name} required />
          <button type="submit" class="primary">
            Save
          </button>
          <button type="button" onClick={() => setMode("view")}>
            Cancel
          </button>
        </form>
      ) : (
        <div class="row">
          <button type="button" class="ghost small" onClick={() => setMode("rename")}>
            Rename
          </button>
          {mode === "confirm" ? (
            <>
              <button type="button" class="danger" onClick={() => void run(props.onDelete)}>
                Delete {props.what}?
              </button>
              <button type="button" class="ghost" onClick={() => setMode("view")}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" class="ghost danger small" onClick={() => setMode("confirm")}>
              Delete
            </button>
          )}
        </div>
      )}
      <ErrorNote text={error} />
    </div>
  );
}
