import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMode, startLocalMode } from "./local-process.js";

/**
 * The README walkthrough, step by step over HTTP through the gateway of
 * a real local mode (`services/local.ts` in its own process): register, log in, organization,
 * project, board, cards, task, move, comment, activities, notifications, and the "assigned to
 * you" notification arriving on the assignee's live stream.
 */

let local: LocalMode;
beforeAll(async () => {
  local = await startLocalMode();
}, 90_000);
afterAll(async () => {
  const stopped = await local?.stop();
  // Ctrl-C must stop cleanly, after publishing what the outboxes held.
  expect(stopped?.code).toBe(0);
  expect(stopped?.output).toContain("stopped");
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${local.base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

/** Opens the live stream and collects `notification` events until aborted. */
function openStream(token: string) {
  const controller = new AbortController();
  const events: { kind: string; taskId: string; message: string }[] = [];
  const response = fetch(`${local.base}/api/v1/notifications/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    signal: controller.signal,
  });
  const opened = response.then(async (res) => {
    expect(res.status).toBe(200);
    let buffer = "";
    try {
      for await (const chunk of res.body!) {
        buffer += Buffer.from(chunk).toString();
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (/^event: notification$/m.test(frame) && data) events.push(JSON.parse(data));
        }
      }
    } catch {
      // Aborted when the test is done with it.
    }
  });
  // The stream starts from the newest notification when its headers are sent: `connected` means it is listening.
  return { events, close: () => controller.abort(), opened, connected: response.then(() => undefined) };
}

describe("walkthrough through the gateway of local mode", () => {
  it("runs from registration to a live 'assigned to you' notification", async () => {
    const run = randomUUID().slice(0, 8);
    const alice = {
      email: `alice-${run}@example.test`,
      password: "correct horse battery staple",
      displayName: "Alice",
    };
    const bob = { email: `bob-${run}@example.test`, password: "another long passphrase", displayName: "Bob" };

    // 1. Register and log in.
    const registered = await call("POST", "/api/v1/auth/register", undefined, alice);
    expect(registered.status).toBe(201);
    const bobId = (await call("POST", "/api/v1/auth/register", undefined, bob)).body.id as string;
    const aliceToken = (
      await call("POST", "/api/v1/auth/login", undefined, { email: alice.email, password: alice.password })
    ).body.accessToken as string;
    const bobToken = (await call("POST", "/api/v1/auth/login", undefined, { email: bob.email, password: bob.password }))
      .body.accessToken as string;
    expect(aliceToken.split(".")).toHaveLength(3);

    // 2. Organization and project (the profile is created from the registration event).
    await expect
      .poll(async () => (await call("GET", "/api/v1/users/me", aliceToken)).status, { timeout: 5_000 })
      .toBe(200);
    const org = await call("POST", "/api/v1/organizations", aliceToken, {
      name: `Acme ${run}`,
      description: "Rockets and anvils",
    });
    expect(org.status).toBe(201);
    const project = await call("POST", `/api/v1/organizations/${org.body.id}/projects`, aliceToken, { name: "Launch" });
    expect(project.status).toBe(201);

    // 3. Board and cards.
    const board = await call("POST", "/api/v1/boards", aliceToken, { projectId: project.body.id, name: "Sprint 1" });
    expect(board.status).toBe(201);
    const todo = await call("POST", `/api/v1/boards/${board.body.id}/cards`, aliceToken, {
      name: "To do",
      type: "todo",
    });
    const doing = await call("POST", `/api/v1/boards/${board.body.id}/cards`, aliceToken, {
      name: "Doing",
      type: "doing",
    });
    expect([todo.status, doing.status]).toEqual([201, 201]);

    // 4. Bob listens; Alice creates a task assigned to him.
    const stream = openStream(bobToken);
    await stream.connected;
    const task = await call("POST", `/api/v1/boards/${board.body.id}/tasks`, aliceToken, {
      cardId: todo.body.id,
      title: "Write the launch plan",
      description: "Who does what, and when",
      priority: "high",
      assigneeId: bobId,
    });
    expect(task.status).toBe(201);
    await expect.poll(() => stream.events.map((e) => e.kind), { timeout: 5_000 }).toContain("assigned");
    expect(stream.events.find((e) => e.kind === "assigned")!.taskId).toBe(task.body.id);

    // 5. Alice moves it (with the ETag, only the board's owner may), Bob comments; the activities follow.
    const moved = await call(
      "POST",
      `/api/v1/tasks/${task.body.id}/move`,
      aliceToken,
      { cardId: doing.body.id },
      {
        "if-match": task.headers.get("etag")!,
      },
    );
    expect(moved.status).toBe(200);
    const comment = await call("POST", `/api/v1/tasks/${task.body.id}/comments`, bobToken, { body: "On it." });
    expect(comment.status).toBe(201);
    await expect
      .poll(
        async () =>
          ((await call("GET", `/api/v1/tasks/${task.body.id}/activities`, aliceToken)).body.total as number) ?? 0,
        { timeout: 5_000 },
      )
      .toBeGreaterThanOrEqual(3);

    // 6. Each is told what the other did; the composed views answer in one call.
    const kinds = async (token: string) =>
      ((await call("GET", "/api/v1/notifications", token)).body.items as { kind: string }[]).map((n) => n.kind).sort();
    await expect.poll(() => kinds(aliceToken), { timeout: 5_000 }).toEqual(["commented"]);
    await expect.poll(() => kinds(bobToken), { timeout: 5_000 }).toEqual(["assigned", "status-changed"]);
    // The list can show a notification a moment before its frame reaches the stream.
    await expect
      .poll(() => stream.events.map((e) => e.kind), { timeout: 5_000 })
      .toEqual(["assigned", "status-changed"]);
    const details = await call("GET", `/api/v1/tasks/${task.body.id}/details`, aliceToken);
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ partial: false });
    const dashboard = await call("GET", "/api/v1/dashboard", aliceToken);
    expect(dashboard.status).toBe(200);

    // Bob, assigned a task on Alice's board, may look at it (read-only); a stranger gets a 404.
    expect((await call("GET", `/api/v1/boards/${board.body.id}`, bobToken)).status).toBe(200);
    const carol = await call("POST", "/api/v1/auth/register", undefined, {
      email: "carol@example.com",
      password: "yet another passphrase",
      displayName: "Carol",
    });
    expect(carol.status).toBe(201);
    const carolToken = (
      await call("POST", "/api/v1/auth/login", undefined, {
        email: "carol@example.com",
        password: "yet another passphrase",
      })
    ).body.accessToken as string;
    expect((await call("GET", `/api/v1/boards/${board.body.id}`, carolToken)).status).toBe(404);
    // Nor can another user create a board in Alice's project (the tasks service knows its owner from user-events).
    const squat = await call("POST", "/api/v1/boards", bobToken, { projectId: project.body.id, name: "Sprint 2" });
    expect(squat.status).toBe(404);
    expect(squat.body.detail).toBe(`project "${project.body.id}" not found`);
    stream.close();
    await stream.opened;
  }, 60_000);
});
