import { useEffect, useState } from "preact/hooks";
import { usersApi } from "./api/client.ts";
import { session } from "./api/session.ts";
import type { Profile } from "./api/types.ts";
import { match, navigate, onLink, usePath } from "./router.ts";
import { ApiKeys } from "./screens/api-keys.tsx";
import { BoardScreen } from "./screens/board.tsx";
import { Home } from "./screens/home.tsx";
import { SignIn } from "./screens/sign-in.tsx";
import { Bell } from "./ui/bell.tsx";
import { Toasts } from "./ui/toasts.tsx";

/**
 * The app shell: restores the session from its cookie on load, then shows the sign-in page
 * or the signed-in screens. Signing out drops every screen's state with the token, so the
 * back button finds nothing private to show.
 */
export function App() {
  const path = usePath();
  const [state, setState] = useState<"checking" | "out" | "in">("checking");
  const [me, setMe] = useState<Profile | undefined>();

  useEffect(() => {
    const off = session.onChange((signedIn) => {
      setState(signedIn ? "in" : "out");
      if (!signedIn) setMe(undefined);
    });
    void session.refresh().then((ok) => setState(ok ? "in" : "out"));
    // A page restored from the back-forward cache re-checks its session first.
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted && !session.token()) setState("out");
    };
    addEventListener("pageshow", onShow);
    return () => {
      off();
      removeEventListener("pageshow", onShow);
    };
  }, []);

  useEffect(() => {
    if (state !== "in") return;
    let cancelled = false;
    // The profile is made from the registration event; a brand-new account may wait a moment.
    const load = async (attempt: number) => {
      const { data } = await usersApi.GET("/api/v1/users/me");
      if (cancelled) return;
      if (data) setMe(data);
      else if (attempt < 20) setTimeout(() => void load(attempt + 1), 250);
    };
    void load(0);
    return () => {
      cancelled = true;
    };
  }, [state]);

  if (state === "checking") {
    return (
      <main class="auth" aria-busy="true">
        <p class="muted">Loading TaskFlow…</p>
      </main>
    );
  }
  if (state === "out") return <SignIn />;

  const board = match("/boards/:boardId", path);
  const keys = match("/settings/api-keys", path);
  const signOut = async () => {
    await session.signOut();
    navigate("/", { replace: true });
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: delegates in-app link clicks to the router
    // biome-ignore lint/a11y/useKeyWithClickEvents: links keep their own keyboard behaviour
    <div onClick={onLink}>
      <header class="topbar">
        <a class="brand" href="/">
          <span class="brand-mark" aria-hidden="true" />
          TaskFlow
        </a>
        <span class="spacer" />
        <Bell />
        <a class="button ghost" href="/settings/api-keys">
          API keys
        </a>
        <span class="small muted" data-testid="me">
          {me?.displayName ?? ""}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      {board ? <BoardScreen boardId={board.boardId!} me={me} /> : keys ? <ApiKeys /> : <Home me={me} />}
      <Toasts />
    </div>
  );
}
