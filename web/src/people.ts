import { useEffect, useState } from "preact/hooks";
import { usersApi } from "./api/client.ts";

/** Display names by user id, each asked for once per page load. */

const names = new Map<string, Promise<string>>();

export function nameOf(id: string): Promise<string> {
  let found = names.get(id);
  if (!found) {
    found = usersApi
      .GET("/api/v1/users/{userId}", { params: { path: { userId: id } } })
      .then((r) => r.data?.displayName ?? "Someone");
    names.set(id, found);
  }
  return found;
}

export function usePeople(ids: readonly string[]): Record<string, string> {
  const [known, setKnown] = useState<Record<string, string>>({});
  const key = [...new Set(ids)].sort().join(",");
  useEffect(() => {
    let live = true;
    for (const id of key.split(",").filter(Boolean)) {
      void nameOf(id).then((name) => {
        if (live) setKnown((k) => (k[id] === name ? k : { ...k, [id]: name }));
      });
    }
    return () => {
      live = false;
    };
  }, [key]);
  return known;
}

export const initials = (name: string | undefined) =>
  (name ?? "?")
    .split(/\s+/)
    .map((w) => w[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
