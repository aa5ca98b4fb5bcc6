import { useState } from "preact/hooks";
import { session } from "../api/session.ts";
import { ErrorNote } from "../ui/forms.tsx";

/** Sign in or create an account; the API's own words are shown when it refuses. */
export function SignIn() {
  const [mode, setMode] = useState<"in" | "up">("in");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    setBusy(true);
    setError(undefined);
    const refused =
      mode === "in"
        ? await session.signIn(email, password)
        : await session.register(email, password, String(form.get("displayName") ?? ""));
    setBusy(false);
    if (refused) setError(refused);
  };

  return (
    <main class="auth">
      <div class="card-surface stack">
        <div class="row">
          <span class="brand-mark" aria-hidden="true" />
          <h1>TaskFlow</h1>
        </div>
        <p class="muted small">Boards that stay in step for everyone on them.</p>
        <div class="tabs" role="tablist" aria-label="Sign in or create an account">
          <button type="button" role="tab" aria-selected={mode === "in"} onClick={() => setMode("in")}>
            Sign in
          </button>
          <button type="button" role="tab" aria-selected={mode === "up"} onClick={() => setMode("up")}>
            Create account
          </button>
        </div>
        <form class="stack" onSubmit={submit} aria-label={mode === "in" ? "Sign in" : "Create account"}>
          {mode === "up" && (
            <label>
              Your name
              <input name="displayName" required minLength={3} maxLength={50} autoComplete="name" />
            </label>
          )}
          <label>
            Email
            <input name="email" type="email" required autoComplete="email" />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              required
              minLength={mode === "up" ? 10 : 1}
              autoComplete={mode === "in" ? "current-password" : "new-password"}
            />
          </label>
          {mode === "up" && <span class="small muted">At least 10 characters.</span>}
          <ErrorNote text={error} />
          <button class="primary" type="submit" disabled={busy}>
            {busy ? "Please wait…" : mode === "in" ? "Sign in" : "Create account"}
          </button>
        </form>
      </div>
    </main>
  );
}
