import { useCallback, useEffect, useState } from "preact/hooks";
import { identityApi, must } from "../api/client.ts";
import type { ApiKey, ApiKeyScope, NewApiKey } from "../api/types.ts";
import { ErrorNote, errorText } from "../ui/forms.tsx";

const SCOPES: readonly ApiKeyScope[] = [
  "tasks:read",
  "tasks:write",
  "users:read",
  "users:write",
  "notifications:read",
  "notifications:write",
] satisfies ApiKeyScope[];

/** API keys for scripts: create with scopes, see the key once, revoke. */
export function ApiKeys() {
  const [keys, setKeys] = useState<ApiKey[] | undefined>();
  const [created, setCreated] = useState<NewApiKey | undefined>();
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      const { data } = await must(identityApi.GET("/api/v1/api-keys"));
      setKeys(data.items);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  return (
    <main class="page stack">
      <h1>API keys</h1>
      <p class="muted">
        Keys let scripts use the API with only the scopes you give them. A key is shown once, when it is made.
      </p>
      <form
        class="card-surface stack"
        aria-label="Create an API key"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget as HTMLFormElement;
          const data = new FormData(form);
          const scopes = data.getAll("scope").map(String) as ApiKeyScope[];
          try {
            const answer = await must(
              identityApi.POST("/api/v1/api-keys", { body: { name: String(data.get("name") ?? "").trim(), scopes } }),
            );
            setCreated(answer.data);
            setError(undefined);
            form.reset();
            await load();
          } catch (err) {
            setError(errorText(err));
          }
        }}
      >
        <label>
          Name
          <input name="name" required maxLength={50} placeholder="e.g. reporting" />
        </label>
        <fieldset class="row">
          <legend class="small muted">Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} class="row">
              <input type="checkbox" name="scope" value={s} /> <span>{s}</span>
            </label>
          ))}
        </fieldset>
        <ErrorNote text={error} />
        <div class="row">
          <button type="submit" class="primary">
            Create key
          </button>
        </div>
      </form>
      {created && (
        <div class="card-surface stack" role="status">
          <strong>Copy “{created.name}” now: it will not be shown again.</strong>
          <code class="key-once" data-testid="new-key">
            {created.key}
          </code>
          <div class="row">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.key)}>
              Copy
            </button>
            <button type="button" class="ghost" onClick={() => setCreated(undefined)}>
              I have copied it
            </button>
          </div>
        </div>
      )}
      <section class="card-surface">
        {keys === undefined ? (
          <div class="skeleton">&nbsp;</div>
        ) : keys.length === 0 ? (
          <p class="muted">No keys yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>{k.scopes.join(", ")}</td>
                  <td>{new Date(k.createdAt).toLocaleDateString()}</td>
                  <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : "Never"}</td>
                  <td>
                    {k.revoked ? (
                      <span class="muted">Revoked</span>
                    ) : (
                      <button
                        type="button"
                        class="danger"
                        onClick={async () => {
                          await identityApi.DELETE("/api/v1/api-keys/{id}", { params: { path: { id: k.id } } });
                          await load();
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
