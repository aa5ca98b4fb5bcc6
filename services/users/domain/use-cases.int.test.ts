import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatedTitle } from "../../../adapters/testing/servers.js";
import type { CallerIdentity } from "../../kernel/auth/caller.js";
import type { Database } from "../../kernel/db/database.js";
import { openTestDatabase, postgresGate, type TestDatabaseKind } from "../../kernel/db/testing.js";
import { ConflictError, NotFoundError, UnprocessableError } from "../../kernel/errors.js";
import type { EventMessage } from "../../kernel/event-log.js";
import { handleOnce } from "../../kernel/messaging/inbox.js";
import { USERS_MIGRATIONS } from "../service.js";
import type { UsersContext } from "./context.js";
import {
  createOrganization,
  createProject,
  deleteProject,
  ownProject,
  updateOrganization,
  updateProject,
} from "./organizations.js";
import { onIdentityEvent, ownProfile } from "./profiles.js";

const pgSkip = await postgresGate();
const caller = (userId: string): CallerIdentity => ({ userId, roles: ["user"], via: "dev-header" });

function registration(userId: string, email: string, displayName = "New User") {
  const body: EventMessage = {
    eventId: randomUUID(),
    streamId: `account:${userId}`,
    version: 1,
    type: "user-registered",
    data: { userId, email, displayName, roles: ["user"] },
    actor: userId,
    occurredAt: new Date().toISOString(),
  };
  return { id: body.eventId, topic: "identity-events", headers: {}, body, attempt: 1, publishedAt: new Date() };
}

for (const { kind, skip } of [
  { kind: "pglite" as TestDatabaseKind, skip: undefined },
  { kind: "postgres" as TestDatabaseKind, skip: pgSkip },
]) {
  describe.skipIf(skip !== undefined)(gatedTitle(`users use cases on ${kind}`, skip), () => {
    let db: Database;
    let ctx: UsersContext;
    beforeAll(async () => {
      db = await openTestDatabase(kind, [USERS_MIGRATIONS]);
      ctx = { db };
    });
    afterAll(async () => {
      await db?.close();
    });

    it("an owner has at most 6 organizations, even when created concurrently", async () => {
      const owner = caller(`owner-${randomUUID()}`);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => createOrganization(ctx, owner, { name: `Org number ${i}` })),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(6);
      for (const r of results.filter((r) => r.status === "rejected")) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      }
    });

    it("organization names are unique per owner, not globally; description must differ from name", async () => {
      const a = caller(`a-${randomUUID()}`);
      const b = caller(`b-${randomUUID()}`);
      await createOrganization(ctx, a, { name: "Acme" });
      await expect(createOrganization(ctx, a, { name: "ACME" })).rejects.toMatchObject({ status: 409 });
      await expect(createOrganization(ctx, b, { name: "Acme" })).resolves.toMatchObject({ name: "Acme" });
      await expect(createOrganization(ctx, b, { name: "Globex", description: "globex" })).rejects.toBeInstanceOf(
        UnprocessableError,
      );
      const org = await createOrganization(ctx, b, { name: "Initech", description: "Software" });
      await expect(updateOrganization(ctx, b, org.id, { description: "Initech" }, undefined)).rejects.toBeInstanceOf(
        UnprocessableError,
      );
    });

    it("an organization has at most 6 projects with unique names; others' projects are 404s", async () => {
      const owner = caller(`p-${randomUUID()}`);
      const org = await createOrganization(ctx, owner, { name: "Projects Inc" });
      const first = await createProject(ctx, owner, org.id, { name: "Project 0" });
      await expect(createProject(ctx, owner, org.id, { name: "project 0" })).rejects.toMatchObject({ status: 409 });
      for (let i = 1; i < 6; i++) await createProject(ctx, owner, org.id, { name: `Project ${i}` });
      await expect(createProject(ctx, owner, org.id, { name: "Project 6" })).rejects.toThrow(/at most 6 projects/);
      await expect(ownProject(db, caller("stranger"), first.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(createProject(ctx, caller("stranger"), org.id, { name: "Sneaky" })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it("every project event names the project's owner, so other services can check a caller against it", async () => {
      const owner = caller(`owner-${randomUUID()}`);
      const org = await createOrganization(ctx, owner, { name: "Owned" });
      const project = await createProject(ctx, owner, org.id, { name: "Launch" });
      await updateProject(ctx, owner, project.id, { name: "Launch 2" }, undefined);
      await deleteProject(ctx, owner, project.id, undefined);
      const events = await db.query<{ type: string; data: Record<string, unknown> }>(
        "SELECT type, data FROM events WHERE stream_id = $1 ORDER BY version",
        [`project:${project.id}`],
      );
      expect(events.map((e) => e.type)).toEqual(["project-created", "project-updated", "project-deleted"]);
      for (const event of events) expect(event.data.ownerId, event.type).toBe(owner.userId);
      expect(events[2]!.data).toMatchObject({ projectId: project.id, organizationId: org.id });
    });

    it("a registration event makes one profile, even when delivered twice", async () => {
      const userId = randomUUID();
      const message = registration(userId, `${userId}@example.com`);
      const effect = (tx: Parameters<typeof onIdentityEvent>[0], m: typeof message) => onIdentityEvent(tx, m.body);
      expect(await handleOnce(db, "users-identity-events", message, effect)).toBe(true);
      expect(await handleOnce(db, "users-identity-events", message, effect)).toBe(false);
      expect(await ownProfile(ctx, caller(userId))).toMatchObject({ email: `${userId}@example.com`, version: 1 });
      const events = await db.query("SELECT type FROM events WHERE stream_id = $1", [`profile:${userId}`]);
      expect(events).toEqual([{ type: "profile-created" }]);
    });

    it("an API key's revocation is acknowledged without effect", async () => {
      const userId = randomUUID();
      const base = registration(userId, `${userId}@example.com`);
      const revoked = { ...base, body: { ...base.body, type: "api-key-revoked", data: { keyId: "k1", userId } } };
      expect(await handleOnce(db, "users-identity-events", revoked, (tx, m) => onIdentityEvent(tx, m.body))).toBe(true);
      await expect(ownProfile(ctx, caller(userId))).rejects.toBeInstanceOf(NotFoundError);
      expect(await db.query("SELECT type FROM events WHERE stream_id = $1", [`profile:${userId}`])).toEqual([]);
    });

    it("a registration whose email another profile holds publishes profile-creation-failed", async () => {
      const email = `${randomUUID()}@example.com`;
      await handleOnce(db, "users-identity-events", registration(randomUUID(), email), (tx, m) =>
        onIdentityEvent(tx, m.body),
      );
      const second = randomUUID();
      await handleOnce(db, "users-identity-events", registration(second, email), (tx, m) =>
        onIdentityEvent(tx, m.body),
      );
      await expect(ownProfile(ctx, caller(second))).rejects.toBeInstanceOf(NotFoundError);
      const [row] = await db.query<{ body: { type: string; data: { userId: string; reason: string } } }>(
        "SELECT body FROM outbox WHERE key = $1",
        [`profile:${second}`],
      );
      expect(row!.body).toMatchObject({
        type: "profile-creation-failed",
        data: { userId: second, reason: "another profile already uses this email" },
      });
    });
  });
}
