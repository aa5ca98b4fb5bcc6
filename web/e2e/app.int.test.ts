import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_DIR, apiTypesFrom } from "../../scripts/web-api.js";
import {
  ARTIFACTS,
  api,
  axeViolations,
  boardOf,
  column,
  drag,
  person,
  type Stage,
  shot,
  signedIn,
  startStage,
  task,
  tile,
  tileIn,
} from "./harness.js";

/**
 * The web app in a real Chromium against a real local mode: what a person does with it, with
 * two people at once where the point is what one sees of the other's work.
 */

let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
}, 240_000);
afterAll(async () => {
  await stage?.stop();
});

const DOCS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

describe("the web app in Chromium", { timeout: 60_000 }, () => {
  it("is built on API types generated from the documents the services serve now (npm run web:api)", async () => {
    const served = await apiTypesFrom(stage.local.ports);
    for (const [service, text] of Object.entries(served)) {
      expect(await readFile(new URL(`${service}.ts`, API_DIR), "utf8"), `web/src/api/${service}.ts`).toBe(text);
    }
  });

  it("a newcomer signs up, makes an organization, a project, a board and columns, adds a task and drags it", async () => {
    const context = await stage.browser.newContext({ baseURL: stage.base, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto("/");
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, "sign-in");

    await page.getByRole("tab", { name: "Create account" }).click();
    await page.getByLabel("Your name").fill("Nora Newcomer");
    await page.getByLabel("Email").fill(`nora-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).last().click();
    // The browser's own check stops a 5-character password before the API sees it.
    expect(
      await page
        .getByLabel("Password")
        .evaluate((el) => (el as unknown as { validity: { valid: boolean } }).validity.valid),
    ).toBe(false);
    await page.getByLabel("Password").fill("a long enough passphrase");
    await page.getByRole("button", { name: "Create account" }).last().click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    await expect.poll(() => page.getByTestId("me").textContent()).toBe("Nora Newcomer");
    await page.getByText("Start with an organization").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, "home-empty");

    await page.getByRole("textbox", { name: "New organization name" }).fill("Acme");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await page.getByRole("heading", { name: "Acme" }).waitFor();
    await page.getByRole("textbox", { name: "New project name" }).fill("Launch");
    await page.getByRole("button", { name: "Add project" }).click();
    await page.getByRole("heading", { name: "Launch" }).waitFor();
    await page.getByRole("textbox", { name: "New board name in Launch" }).fill("Sprint 1");
    await page.getByRole("button", { name: "Create board" }).click();
    await page.getByRole("link", { name: "Sprint 1" }).click();
    await page.getByText("This board has no columns yet").waitFor();

    for (const [name, kind] of [
      ["To do", "todo"],
      ["Doing", "doing"],
      ["Done", "done"],
    ] as const) {
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Kind").selectOption(kind);
      await page.getByRole("button", { name: "Add column" }).click();
      await page.getByRole("heading", { name, exact: true }).waitFor();
    }
    const columns = page.getByTestId("column");
    await expect.poll(() => columns.count()).toBe(3);
    const todo = (await columns.nth(0).getAttribute("data-card-id"))!;
    const doing = (await columns.nth(1).getAttribute("data-card-id"))!;

    await columns.nth(0).getByRole("button", { name: "+ Add a task" }).click();
    await page.getByLabel("New task title in To do").fill("Write the launch plan");
    await page.getByRole("button", { name: "Add task" }).click();
    const added = page.locator(`${column(todo)} [data-testid="tile"]`);
    await added.waitFor();
    const taskId = (await added.getAttribute("data-task-id"))!;

    await drag(page, tile(taskId), column(doing));
    await page.locator(tileIn(doing, taskId)).waitFor();
    await expect.poll(() => page.locator(tileIn(doing, taskId)).getAttribute("class")).not.toContain("pending");
    // Reloading shows what the server kept, not what the page assumed.
    await page.reload();
    await page.locator(tileIn(doing, taskId)).waitFor();
    expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
    await context.close();
  });

  it("Alice drags a task to Doing and Bob's open board shows it there within a second; Bob's bell counts the assignment", async () => {
    const alice = await person(stage.base, "Alice");
    const bob = await person(stage.base, "Bob");
    const { boardId, cards } = await boardOf(stage.base, alice, [
      { name: "To do", type: "todo" },
      { name: "Doing", type: "doing" },
      { name: "Done", type: "done" },
    ]);
    const a = await signedIn(stage, alice);
    const b = await signedIn(stage, bob);
    const taskId = await task(stage.base, alice, boardId, cards["To do"]!, {
      title: "Write the launch plan",
      priority: "high",
      assigneeId: bob.id,
      tags: ["launch", "docs"],
      dueDate: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });
    await task(stage.base, alice, boardId, cards["To do"]!, { title: "Book the venue", priority: "medium" });
    await expect.poll(() => b.page.getByTestId("bell-count").textContent(), { timeout: 5_000 }).toBe("1");

    await a.page.goto(`/boards/${boardId}`);
    await b.page.goto(`/boards/${boardId}`);
    await a.page.locator(tileIn(cards["To do"]!, taskId)).waitFor();
    await b.page.locator(tileIn(cards["To do"]!, taskId)).waitFor();
    await b.page.getByTestId("live").getByText("Live").waitFor();
    await a.page.getByTestId("live").getByText("Live").waitFor();

    await drag(a.page, tile(taskId), column(cards.Doing!));
    const dropped = Date.now();
    await b.page.locator(tileIn(cards.Doing!, taskId)).waitFor({ timeout: 1_000 });
    expect(Date.now() - dropped).toBeLessThan(1_000);
    // Bob's copy marks the change and says who made it.
    await b.page.locator(tile(taskId)).getByText("Moved by Alice").waitFor();
    expect(await axeViolations(b.page)).toEqual([]);
    await shot(b.page, "board-live-change");
    await a.context.close();
    await b.context.close();
  });

  it("a move from a stale view gets the conflict view: where the task is now, who moved it, and the move kept to retry", async () => {
    const alice = await person(stage.base, "Alice");
    const { boardId, cards } = await boardOf(stage.base, alice, [
      { name: "To do", type: "todo" },
      { name: "Doing", type: "doing" },
      { name: "Done", type: "done" },
    ]);
    const taskId = await task(stage.base, alice, boardId, cards["To do"]!, { title: "Ship it" });
    const fresh = await signedIn(stage, alice);
    const stale = await signedIn(stage, alice);
    // The stale copy hears nothing live, like a laptop whose connection dropped.
    await stale.context.route("**/stream", (route) => route.abort());
    await stale.page.goto(`/boards/${boardId}`);
    await fresh.page.goto(`/boards/${boardId}`);
    await stale.page.locator(tileIn(cards["To do"]!, taskId)).waitFor();
    await fresh.page.locator(tileIn(cards["To do"]!, taskId)).waitFor();

    await drag(fresh.page, tile(taskId), column(cards.Doing!));
    await fresh.page.locator(tileIn(cards.Doing!, taskId)).waitFor();
    await expect.poll(() => fresh.page.locator(tile(taskId)).getAttribute("class")).not.toContain("pending");

    await drag(stale.page, tile(taskId), column(cards.Done!));
    const conflict = stale.page.getByTestId("conflict");
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain("moved by Alice");
    expect(await conflict.textContent()).toContain("It is now in Doing");
    // The stale copy now shows the task where the server has it: nothing overwritten.
    await stale.page.locator(tileIn(cards.Doing!, taskId)).waitFor();
    expect((await api(stage.base, "GET", `/api/v2/tasks/${taskId}`, alice.token)).body.cardId).toBe(cards.Doing);
    await shot(stale.page, "board-conflict");

    await conflict.getByRole("button", { name: "Move it to Done anyway" }).click();
    await stale.page.locator(tileIn(cards.Done!, taskId)).waitFor();
    await expect
      .poll(async () => (await api(stage.base, "GET", `/api/v2/tasks/${taskId}`, alice.token)).body.cardId)
      .toBe(cards.Done);
    await fresh.context.close();
    await stale.context.close();
  });

  it("a task moves with the keyboard alone", async () => {
    const alice = await person(stage.base, "Alice");
    const { boardId, cards } = await boardOf(stage.base, alice, [
      { name: "To do", type: "todo" },
      { name: "Doing", type: "doing" },
    ]);
    const taskId = await task(stage.base, alice, boardId, cards["To do"]!, { title: "Keyboard only" });
    const { context, page } = await signedIn(stage, alice);
    await page.goto(`/boards/${boardId}`);
    // The board is live once its stream is open: every tile is rendered with its handlers by then.
    await page.getByTestId("live").getByText("Live").waitFor();
    await page.locator(tile(taskId)).focus();
    await page.keyboard.press("Space");
    // What a screen reader hears at each step is what dnd-kit's live region says. A loaded
    // machine can take longer than expect.poll's 1 s default to render it.
    const said = page.locator("[id^=DndLiveRegion]");
    const patient = { timeout: 10_000 };
    await expect.poll(() => said.textContent(), patient).toMatch(/Picked up Keyboard only|Keyboard only is over To do/);
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => said.textContent(), patient).toContain("Keyboard only is over Doing");
    await page.keyboard.press("Space");
    await expect.poll(() => said.textContent(), patient).toContain("Keyboard only dropped in Doing");
    await page.locator(tileIn(cards.Doing!, taskId)).waitFor();
    await expect
      .poll(async () => (await api(stage.base, "GET", `/api/v2/tasks/${taskId}`, alice.token)).body.cardId)
      .toBe(cards.Doing);
    await context.close();
  });

  it("a WIP limit refuses a drop with the server's message naming the column and its limit", async () => {
    const alice = await person(stage.base, "Alice");
    const { boardId, cards } = await boardOf(stage.base, alice, [
      { name: "To do", type: "todo" },
      { name: "Doing", type: "doing", wipLimit: 1 },
    ]);
    await task(stage.base, alice, boardId, cards.Doing!, { title: "Already doing" });
    const taskId = await task(stage.base, alice, boardId, cards["To do"]!, { title: "One too many" });
    const { context, page } = await signedIn(stage, alice);
    await page.goto(`/boards/${boardId}`);
    await page.locator(tile(taskId)).waitFor();
    expect(await page.locator(column(cards.Doing!)).locator(".count").textContent()).toContain("1 / 1");
    await drag(page, tile(taskId), column(cards.Doing!));
    await page.getByText('the column "Doing" is at its WIP limit of 1').waitFor();
    await page.locator(tileIn(cards["To do"]!, taskId)).waitFor();
    expect((await api(stage.base, "GET", `/api/v2/tasks/${taskId}`, alice.token)).body.cardId).toBe(cards["To do"]);
    await context.close();
  });

  it("the task panel edits every field, keeps comments, shows the activity; the look holds in light and dark", async () => {
    const alice = await person(stage.base, "Alice");
    const bob = await person(stage.base, "Bob");
    const { boardId, cards } = await boardOf(stage.base, alice, [
      { name: "Backlog", type: "backlog" },
      { name: "To do", type: "todo" },
      { name: "Doing", type: "doing", wipLimit: 3 },
      { name: "Done", type: "done" },
    ]);
    const samples: [string, string, Record<string, unknown>][] = [
      ["Backlog", "Research competitors", { priority: "low", tags: ["research"] }],
      ["Backlog", "Draft pricing page", { priority: "medium", tags: ["web", "pricing"] }],
      ["To do", "Write the launch plan", { priority: "high", assigneeId: bob.id, tags: ["launch"] }],
      ["To do", "Book the venue", { priority: "medium", dueDate: new Date(Date.now() + 5 * 86_400_000).toISOString() }],
      ["Doing", "Fix sign-up emails", { priority: "critical", assigneeId: alice.id, tags: ["bug"] }],
      ["Doing", "Press kit", { priority: "medium", tags: ["marketing"] }],
      ["Done", "Pick a name", { priority: "low" }],
    ];
    const ids: Record<string, string> = {};
    for (const [card, title, fields] of samples)
      ids[title] = await task(stage.base, alice, boardId, cards[card]!, { title, ...fields });
    await api(stage.base, "POST", `/api/v2/tasks/${ids["Write the launch plan"]}/comments`, bob.token, {
      body: "On it.",
    });

    const { context, page } = await signedIn(stage, alice);
    await page.goto(`/boards/${boardId}`);
    await page.locator(tile(ids["Pick a name"]!)).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, "board");

    await page.locator(tile(ids["Write the launch plan"]!)).click();
    const panel = page.getByTestId("task-panel");
    await panel.getByText("On it.").waitFor();
    await panel.getByLabel("Title").fill("Write the launch plan v2");
    await panel.getByLabel("Description").fill("Who does what, and when");
    await panel.getByLabel("Priority").selectOption("critical");
    await panel.getByLabel("Due date").fill(new Date(Date.now() + 3 * 86_400_000).toLocaleDateString("en-CA"));
    await panel.getByLabel("Tags (comma separated)").fill("launch, plan");
    await panel.getByRole("button", { name: "Save changes" }).click();
    await panel.getByRole("status").getByText("Saved").waitFor();
    const saved = (await api(stage.base, "GET", `/api/v1/tasks/${ids["Write the launch plan"]}`, alice.token)).body;
    expect(saved).toMatchObject({ title: "Write the launch plan v2", priority: "critical", tags: ["launch", "plan"] });
    expect(saved.description).toBe("Who does what, and when");
    expect(saved.dueDate).not.toBeNull();

    await panel.getByLabel("Add a comment").fill("Draft by Friday.");
    await panel.getByRole("button", { name: "Comment" }).click();
    const mine = panel.getByTestId("comment").filter({ hasText: "Draft by Friday." });
    await mine.waitFor();
    // Only your own comments can be edited or deleted.
    expect(await panel.getByTestId("comment").filter({ hasText: "On it." }).getByRole("button").count()).toBe(0);
    await mine.getByRole("button", { name: "Edit" }).click();
    await mine.getByLabel("Edit your comment").fill("Draft by Thursday.");
    await mine.getByRole("button", { name: "Save" }).click();
    await panel.getByText("Draft by Thursday.").waitFor();
    await panel
      .getByText("moved", { exact: false })
      .first()
      .waitFor({ state: "attached" })
      .catch(() => undefined);
    await panel.getByRole("heading", { name: "Activity" }).waitFor();
    await expect.poll(() => panel.locator(".activity").count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, "task-panel");
    const edited = panel.getByTestId("comment").filter({ hasText: "Draft by Thursday." });
    await edited.getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => panel.getByText("Draft by Thursday.").count()).toBe(0);
    await context.close();

    const dark = await signedIn(stage, alice, { dark: true });
    await dark.page.goto(`/boards/${boardId}`);
    await dark.page.locator(tile(ids["Pick a name"]!)).waitFor();
    expect(await axeViolations(dark.page)).toEqual([]);
    await shot(dark.page, "board-dark");
    await dark.context.close();

    await mkdir(DOCS, { recursive: true });
    for (const name of ["board", "task-panel", "board-dark", "board-conflict", "sign-in"]) {
      await copyFile(join(ARTIFACTS, `${name}.png`), join(DOCS, `${name}.png`)).catch(() => undefined);
    }
  });

  it("API keys: created with scopes, shown once, revoked", async () => {
    const alice = await person(stage.base, "Alice");
    const { context, page } = await signedIn(stage, alice);
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByLabel("Name").fill("reporting");
    await page.getByLabel("tasks:read").check();
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("new-key").textContent())!;
    expect(key.length).toBeGreaterThan(20);
    expect((await api(stage.base, "GET", "/api/v2/tasks", undefined, undefined, { "x-api-key": key })).status).toBe(
      200,
    );
    await page.getByRole("button", { name: "I have copied it" }).click();
    expect(await page.getByText(key).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Revoke" }).click();
    await page.getByText("Revoked").waitFor();
    await expect
      .poll(
        async () => (await api(stage.base, "GET", "/api/v2/tasks", undefined, undefined, { "x-api-key": key })).status,
      )
      .toBe(401);
    await context.close();
  });

  it("signing out revokes the session, and the back button then shows nothing private", async () => {
    const alice = await person(stage.base, "Alice");
    const { boardId, cards } = await boardOf(stage.base, alice, [{ name: "To do", type: "todo" }]);
    await task(stage.base, alice, boardId, cards["To do"]!, { title: "Secret plans" });
    const { context, page } = await signedIn(stage, alice);
    await page.goto(`/boards/${boardId}`);
    await page.getByText("Secret plans").waitFor();
    const cookies = await context.cookies();
    const refresh = cookies.find((c) => c.name === "taskflow_refresh")!;
    expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/api/v1/auth/session" });
    // The access token lives in memory only.
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).toBe(
      "{}{}",
    );

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in", exact: true }).last().waitFor();
    await page.goBack();
    await page.getByRole("button", { name: "Sign in", exact: true }).last().waitFor();
    expect(await page.getByText("Secret plans").count()).toBe(0);
    await page.reload();
    await page.getByRole("button", { name: "Sign in", exact: true }).last().waitFor();
    expect(await page.getByText("Secret plans").count()).toBe(0);
    // The old refresh token was revoked on the server, not just forgotten.
    const reuse = await api(stage.base, "POST", "/api/v1/auth/refresh", undefined, { refreshToken: refresh.value });
    expect(reuse.status).toBe(401);
    await context.close();
  });

  it("sign-in shows the API's own words for a wrong password and for a throttled client", async () => {
    const alice = await person(stage.base, "Alice");
    const context = await stage.browser.newContext({ baseURL: stage.base });
    const page = await context.newPage();
    await page.goto("/");
    const messages: string[] = [];
    // Guesses are free at first, then each must wait longer: keep guessing until told to wait.
    for (let i = 0; i < 10 && !/too many/.test(messages.at(-1) ?? ""); i++) {
      await page.getByLabel("Email").fill(alice.email);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in", exact: true }).last().click();
      const alert = page.getByRole("alert");
      await alert.waitFor();
      messages.push((await alert.textContent())!);
    }
    const direct = await api(stage.base, "POST", "/api/v1/auth/login", undefined, {
      email: alice.email,
      password: "x",
    });
    // The wait it names grows with each guess, so the two may differ in their number of seconds.
    const words = (text: string) => text.replace(/\d+/g, "N");
    expect(messages[0]).toMatch(/invalid email or password/);
    expect(words(messages.at(-1)!)).toBe(words(direct.body.detail as string));
    expect(messages.at(-1)).toMatch(/too many failed sign-ins for this account from this client/);
    await context.close();
  });
});
