/**
 * The signed-in session in the page. The access token lives in this module's memory only
 * (never in storage); the refresh token is an HttpOnly cookie the gateway set, which only the
 * session routes receive. A reload or a second tab gets a fresh access token from it. The
 * CSRF token is the readable cookie the same answer set, echoed in a header.
 */

const SESSION = "/api/v1/auth/session";
const CSRF_COOKIE = "taskflow_csrf";

type Listener = (signedIn: boolean) => void;

let accessToken: string | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | undefined;
const listeners = new Set<Listener>();

function csrf(): string {
  const found = document.cookie.split("; ").find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return found ? decodeURIComponent(found.slice(CSRF_COOKIE.length + 1)) : "";
}

function adopt(body: { accessToken: string; expiresIn: number } | undefined): boolean {
  clearTimeout(refreshTimer);
  const was = accessToken !== undefined;
  accessToken = body?.accessToken;
  // Refresh a minute before the token lapses, so requests never carry an expired one.
  if (body) refreshTimer = setTimeout(() => void session.refresh(), Math.max(10, body.expiresIn - 60) * 1000);
  if (was !== (accessToken !== undefined)) for (const l of listeners) l(accessToken !== undefined);
  return accessToken !== undefined;
}

async function post(path: string, body?: unknown): Promise<Response> {
  return fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", "x-csrf-token": csrf() },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The problem detail of a failed answer, exactly as the API gave it. */
async function detail(res: Response): Promise<string> {
  const problem = (await res.json().catch(() => ({}))) as { detail?: string };
  return problem.detail ?? `The server answered ${res.status}.`;
}

export const session = {
  token: () => accessToken,
  onChange(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },

  /** Signs in; resolves to the API's message when it refuses (wrong password, locked). */
  async signIn(email: string, password: string): Promise<string | undefined> {
    const res = await post(SESSION, { email, password });
    if (!res.ok) return detail(res);
    adopt(await res.json());
    return undefined;
  },

  async register(email: string, password: string, displayName: string): Promise<string | undefined> {
    const res = await fetch("/api/v1/auth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password, displayName }),
    });
    if (!res.ok) return detail(res);
    return session.signIn(email, password);
  },

  /** A new access token from the cookie; false when there is no session (or it ended). */
  refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      try {
        if (!csrf()) return adopt(undefined);
        const res = await post(`${SESSION}/refresh`);
        return adopt(res.ok ? await res.json() : undefined);
      } catch {
        return adopt(undefined);
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  },

  /** Revokes the session on the server, then forgets the token. */
  async signOut(): Promise<void> {
    await post(`${SESSION}/logout`).catch(() => undefined);
    adopt(undefined);
  },
};
