import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";

/**
 * The README walkthrough as one scenario over HTTP through a gateway at `base`: register, log
 * in, organization, project, board, task assigned to Bob, Bob's live stream receives the
 * notification, move with If-Match, comment, activities, notifications, composed views, an API
 * key, its revocation. The local-mode end-to-end test, the deploy rehearsal and
 * `npm run smoke -- <baseUrl>` all run this one function.
 *
 * It creates two accounts with fresh addresses under example.test (a reserved domain), owning
 * nothing but what the scenario makes; the API key it creates is revoked before it returns.
 */
export interface WalkthroughOptions {
  /** Called before each step, e.g. to print progress. */
  readonly onStep?: (step: string) => void;
  /** How long an eventually-consistent step (events, notifications) may take. @default 10_000 */
  readonly settleMs?: number;
}

export interface WalkthroughResult {
  readonly steps: readonly string[];
  /** The trace id the request that created the assigned task started (its `traceparent`). */
  readonly taskTraceId: string;
  readonly taskId: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function runWalkthrough(base: string, options: WalkthroughOptions = {}): Promise<WalkthroughResult> {
  const settleMs = options.settleMs ?? 10_000;
  const steps: string[] = [];
  const step = (name: string) => {
    steps.push(name);
    options.onStep?.(name);
  };
  const api = `${base.replace(/\/$/, "")}/api/v1`;
  const call = async (
    method: string,
    path: string,
    auth?: Record<string, string>,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...auth, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const expectStatus = (answer: Answer, status: number, what: string) =>
    equal(answer.status, status, `${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  const poll = async <T>(read: () => Promise<T> | T, accept: (value: T) => boolean, what: string): Promise<T> => {
    const deadline = Date.now() + settleMs;
    let last: T | undefined;
    for (;;) {
      last = await read();
      if (accept(last)) return last;
      if (Date.now() > deadline)
        throw new Error(`${what}: not seen within ${settleMs} ms; last: ${JSON.stringify(last)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const run = randomUUID().slice(0, 8);
  const alice = { email: `alice-${run}@example.test`, password: "correct horse battery staple", displayName: "Alice" };
  const bob = { email: `bob-${run}@example.test`, password: "another long passphrase", displayName: "Bob" };

  step("register and log in");
  expectStatus(await call("POST", "/auth/register", undefined, alice), 201, "register Alice");
  const bobAccount = await call("POST", "/auth/register", undefined, bob);
  expectStatus(bobAccount, 201, "register Bob");
  const bobId = bobAccount.body.id as string;
  const login = async (who: typeof alice) => {
    const answer = await call("POST", "/auth/login", undefined, { email: who.email, password: who.password });
    expectStatus(answer, 200, `log in ${who.displayName}`);
    const token = answer.body.accessToken as string;
    equal(token.split(".").length, 3, "an access token is a JWT");
    return { authorization: `Bearer ${token}` };
  };
  const asAlice = await login(alice);
  const asBob = await login(bob);

  step("organization and project");
  // The profile is created from the registration event.
  await poll(
    async () => (await call("GET", "/users/me", asAlice)).status,
    (s) => s === 200,
    "Alice's profile",
  );
  const org = await call("POST", "/organizations", asAlice, { name: `Acme ${run}`, description: "Rockets and anvils" });
  expectStatus(org, 201, "create organization");
  const project = await call("POST", `/organizations/${org.body.id}/projects`, asAlice, { name: "Launch" });
  expectStatus(project, 201, "create project");

  step("board and cards");
  // The tasks service learns the project's owner from user-events; until then the board is refused.
  const board = await poll(
    () => call("POST", "/boards", asAlice, { projectId: project.body.id, name: "Sprint 1" }),
    (a) => a.status === 201,
    "create board",
  );
  const todo = await call("POST", `/boards/${board.body.id}/cards`, asAlice, { name: "To do", type: "todo" });
  const doing = await call("POST", `/boards/${board.body.id}/cards`, asAlice, { name: "Doing", type: "doing" });
  deepStrictEqual([todo.status, doing.status], [201, 201], "create cards");

  step("task assigned to Bob, seen on Bob's live stream");
  const stream = openStream(api, asBob);
  try {
    await stream.connected;
    // The request starts a sampled trace of its own (W3C traceparent, as a traced client sends
    // it), so a collector can be asked for exactly this trace: request, event, notification.
    const taskTraceId = randomBytes(16).toString("hex");
    const task = await call(
      "POST",
      `/boards/${board.body.id}/tasks`,
      asAlice,
      {
        cardId: todo.body.id,
        title: "Write the launch plan",
        description: "Who does what, and when",
        priority: "high",
        assigneeId: bobId,
      },
      { traceparent: `00-${taskTraceId}-${randomBytes(8).toString("hex")}-01` },
    );
    expectStatus(task, 201, "create task");
    const taskId = task.body.id as string;
    const assigned = await poll(
      () => stream.events.find((e) => e.kind === "assigned"),
      (e) => e !== undefined,
      "the 'assigned' notification on Bob's stream",
    );
    equal(assigned?.taskId, taskId, "the notification names the task");

    step("move with If-Match, comment, activities");
    const etag = task.headers.get("etag");
    ok(etag, "a created task carries an ETag");
    const moved = await call("POST", `/tasks/${taskId}/move`, asAlice, { cardId: doing.body.id }, { "if-match": etag });
    expectStatus(moved, 200, "move task");
    expectStatus(await call("POST", `/tasks/${taskId}/comments`, asBob, { body: "On it." }), 201, "comment");
    await poll(
      async () => ((await call("GET", `/tasks/${taskId}/activities`, asAlice)).body.total as number) ?? 0,
      (n) => n >= 3,
      "three activities",
    );

    step("notifications and composed views");
    const kinds = async (auth: Record<string, string>) =>
      (((await call("GET", "/notifications", auth)).body.items as { kind: string }[]) ?? []).map((n) => n.kind).sort();
    const same = (want: string[]) => (got: string[]) => JSON.stringify(got) === JSON.stringify(want);
    await poll(() => kinds(asAlice), same(["commented"]), "Alice's notifications");
    await poll(() => kinds(asBob), same(["assigned", "status-changed"]), "Bob's notifications");
    // The list can show a notification a moment before its frame reaches the stream.
    await poll(() => stream.events.map((e) => e.kind), same(["assigned", "status-changed"]), "Bob's stream");
    const details = await call("GET", `/tasks/${taskId}/details`, asAlice);
    expectStatus(details, 200, "task details");
    equal(details.body.partial, false, `task details complete: ${JSON.stringify(details.body.unavailable)}`);
    expectStatus(await call("GET", "/dashboard", asAlice), 200, "dashboard");
    // Bob, assigned a task on Alice's board, may look at it but not change it; nor may he create
    // a board in Alice's project. (A stranger's read is a 404: services/tasks/http/board-stream.test.ts.)
    expectStatus(await call("GET", `/boards/${board.body.id}`, asBob), 200, "Bob reads the board he has a task on");
    const rename = await call("PATCH", `/boards/${board.body.id}`, asBob, { name: "Mine now" }, { "if-match": '"1"' });
    expectStatus(rename, 404, "Bob renames Alice's board");
    const squat = await call("POST", "/boards", asBob, { projectId: project.body.id, name: "Sprint 2" });
    expectStatus(squat, 404, "Bob creates a board in Alice's project");
    equal(squat.body.detail, `project "${project.body.id}" not found`);

    step("API key, then its revocation");
    const key = await call("POST", "/api-keys", asAlice, { name: "smoke", scopes: ["tasks:read"] });
    expectStatus(key, 201, "create API key");
    const withKey = { "x-api-key": key.body.key as string };
    const listed = await call("GET", `/tasks?boardId=${board.body.id}`, withKey);
    expectStatus(listed, 200, "list tasks with the API key");
    equal(listed.body.total, 1, "the key sees the board's one task");
    expectStatus(
      await call("POST", "/boards", withKey, { projectId: project.body.id, name: "x" }),
      403,
      "the key cannot write",
    );
    expectStatus(await call("DELETE", `/api-keys/${key.body.id}`, asAlice), 204, "revoke API key");
    await poll(
      async () => (await call("GET", `/tasks?boardId=${board.body.id}`, withKey)).status,
      (s) => s === 401,
      "the revoked key refused",
    );
    return { steps, taskId, taskTraceId };
  } finally {
    stream.close();
    await stream.opened;
  }
}

/** Opens the live stream and collects `notification` events until closed. */
function openStream(api: string, auth: Record<string, string>) {
  const controller = new AbortController();
  const events: { kind: string; taskId: string; message: string }[] = [];
  const response = fetch(`${api}/notifications/stream`, {
    headers: { ...auth, accept: "text/event-stream" },
    signal: controller.signal,
  });
  const opened = response
    .then(async (res) => {
      equal(res.status, 200, "the notification stream opens");
      let buffer = "";
      for await (const chunk of res.body ?? []) {
        buffer += Buffer.from(chunk).toString();
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (/^event: notification$/m.test(frame) && data) events.push(JSON.parse(data));
        }
      }
    })
    .catch((error: unknown) => {
      // Aborted when the scenario is done with it; anything else is a failure.
      if (!controller.signal.aborted) throw error;
    });
  // The stream starts from the newest notification when its headers are sent: `connected` means it is listening.
  return { events, close: () => controller.abort(), opened, connected: response.then(() => undefined) };
}
