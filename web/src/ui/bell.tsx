import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { notificationsApi } from "../api/client.ts";
import type { Notification } from "../api/types.ts";
import { openLive } from "../live.ts";
import { navigate } from "../router.ts";
import { BellIcon } from "./icons.tsx";

/** The notifications bell: unread count kept live by the notification stream, the list, mark read. */
export function Bell() {
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    const { data } = await notificationsApi.GET("/api/v1/notifications", { params: { query: { pageSize: 20 } } });
    if (!data) return;
    setItems(data.items);
    setUnread(data.unread);
  }, []);

  useEffect(() => {
    void load();
    return openLive("/api/v1/notifications/stream", {
      onFrame: (frame) => {
        if (frame.event === "notification") void load();
      },
    });
  }, [load]);

  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    addEventListener("mousedown", away);
    addEventListener("keydown", esc);
    return () => {
      removeEventListener("mousedown", away);
      removeEventListener("keydown", esc);
    };
  }, [open]);

  const markRead = async (n: Notification) => {
    if (!n.read) {
      await notificationsApi.POST("/api/v1/notifications/{id}/read", { params: { path: { id: n.id } } });
      await load();
    }
    setOpen(false);
    if (n.boardId) navigate(`/boards/${n.boardId}?task=${n.taskId}`);
  };

  return (
    <div class="bell" ref={root}>
      <button
        type="button"
        class="ghost"
        aria-expanded={open}
        aria-haspopup="true"
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
        onClick={() => setOpen(!open)}
        data-testid="bell"
      >
        <BellIcon />
        {unread > 0 && (
          <span class="bell-count" data-testid="bell-count">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <section class="popover stack tight" aria-label="Notifications">
          <div class="row">
            <strong class="small">Notifications</strong>
            <span class="spacer" />
            {unread > 0 && (
              <button
                type="button"
                class="ghost small"
                onClick={async () => {
                  await notificationsApi.POST("/api/v1/notifications/read-all");
                  await load();
                }}
              >
                Mark all read
              </button>
            )}
          </div>
          {items.length === 0 ? (
            <p class="small muted">You are all caught up.</p>
          ) : (
            items.map((n) => (
              <button
                key={n.id}
                type="button"
                class={`notification${n.read ? "" : " unread"}`}
                onClick={() => void markRead(n)}
              >
                <span>{n.message}</span>
                <br />
                <span class="muted">{new Date(n.createdAt).toLocaleString()}</span>
              </button>
            ))
          )}
        </section>
      )}
    </div>
  );
}
