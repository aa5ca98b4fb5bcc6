import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { buildWeb } from "../../scripts/build-web.js";
import { type LocalMode, startLocalMode } from "../../services/e2e/local-process.js";

/**
 * What the browser tests stand on: the app built, the whole of local mode running in its own
 * process on free ports, and Debian's Chromium driven by playwright-core (nothing downloads a
 * browser). The launch flags keep Chromium from reaching for the network this machine lacks.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = fileURLToPath(new URL("../../.taskflow/artifacts/web/", import.meta.url));
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Stage {
  readonly local: LocalMode;
  readonly browser: Browser;
  readonly base: string;
  stop(): Promise<void>;
}

export async function startStage(): Promise<Stage> {
  await buildWeb({ quiet: true });
  await mkdir(ARTIFACTS, { recursive: true });
  const local = await startLocalMode({
    readyTimeoutMs: 150_000,
    env: { TASKFLOW_RATE_LIMIT_PER_MINUTE: "6000", TASKFLOW_SIGNIN_LIMIT_PER_MINUTE: "600" },
  });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  } catch (error) {
    await local.stop();
    throw error;
  }
  return {
    local,
    browser,
    base: local.base,
    async stop() {
      await browser.close();
      await local.stop();
    },
  };
}

export interface Person {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly token: string;
}

let counter = 0;
/** A registered, signed-in person (over the API, to set the scene quickly). */
export async function person(base: string, name: string): Promise<Person> {
  const email = `${name.toLowerCase()}-${Date.now()}-${counter++}@example.com`;
  const password = "a long enough passphrase";
  const reg = await api(base, "POST", "/api/v1/auth/register", undefined, { email, password, displayName: name });
  if (reg.status !== 201) throw new Error(`register ${name}: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await api(base, "POST", "/api/v1/auth/login", undefined, { email, password });
  const token = login.body.accessToken as string;
  // The profile is made from the registration event; wait for it so names show at once.
  for (let i = 0; i < 100; i++) {
    if ((await api(base, "GET", "/api/v1/users/me", token)).status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { id: reg.body.id as string, email, password, name, token };
}

export async function api(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; etag: string | null }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, etag: res.headers.get("etag") };
}

/** Alice's board with columns, in her own organization and project. */
export async function boardOf(
  base: string,
  owner: Person,
  columns: readonly { name: string; type: string; wipLimit?: number }[],
): Promise<{ boardId: string; cards: Record<string, string> }> {
  const org = await api(base, "POST", "/api/v1/organizations", owner.token, { name: `Org ${counter++}` });
  const project = await api(base, "POST", `/api/v1/organizations/${org.body.id}/projects`, owner.token, {
    name: "Launch",
  });
  let board = await api(base, "POST", "/api/v2/boards", owner.token, { projectId: project.body.id, name: "Sprint 1" });
  for (let i = 0; i < 40 && board.status === 404; i++) {
    await new Promise((r) => setTimeout(r, 100));
    board = await api(base, "POST", "/api/v2/boards", owner.token, { projectId: project.body.id, name: "Sprint 1" });
  }
  if (board.status !== 201) throw new Error(`board: ${board.status} ${JSON.stringify(board.body)}`);
  const cards: Record<string, string> = {};
  for (const column of columns) {
    const card = await api(base, "POST", `/api/v2/boards/${board.body.id}/cards`, owner.token, column);
    cards[column.name] = card.body.id as string;
  }
  return { boardId: board.body.id as string, cards };
}

export async function task(
  base: string,
  owner: Person,
  boardId: string,
  cardId: string,
  fields: Record<string, unknown>,
): Promise<string> {
  const created = await api(base, "POST", `/api/v2/boards/${boardId}/tasks`, owner.token, { cardId, ...fields });
  if (created.status !== 201) throw new Error(`task: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

/** A browser context signed in as `who`, through the app's own sign-in form. */
export async function signedIn(
  stage: Stage,
  who: Person,
  options: { dark?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stage.browser.newContext({
    baseURL: stage.base,
    viewport: { width: 1440, height: 900 },
    colorScheme: options.dark ? "dark" : "light",
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto("/");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).last().click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  return { context, page };
}

/** Serious and critical accessibility violations on the page as it is now (axe-core). */
export async function axeViolations(page: Page): Promise<string[]> {
  const source = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(source);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ["violations"] })`)) as {
    violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

/** Drags a tile onto a column (or onto another tile) with the mouse, in small steps as a hand would. */
export async function drag(page: Page, from: string, to: string): Promise<void> {
  const source = await page.locator(from).boundingBox();
  const target = await page.locator(to).boundingBox();
  if (!source || !target) throw new Error(`cannot drag ${from} to ${to}: not on screen`);
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(source.x + source.width / 2 + 10, source.y + source.height / 2 + 10, { steps: 3 });
  await page.mouse.move(target.x + target.width / 2, target.y + Math.min(60, target.height / 2), { steps: 12 });
  await page.mouse.up();
}

export const column = (cardId: string) => `[data-testid="column"][data-card-id="${cardId}"]`;
export const tile = (taskId: string) => `[data-task-id="${taskId}"]`;
export const tileIn = (cardId: string, taskId: string) => `${column(cardId)} ${tile(taskId)}`;
