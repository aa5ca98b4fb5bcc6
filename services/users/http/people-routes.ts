import { z } from "zod";
import { NotFoundError } from "../../kernel/errors.js";
import { type AnyRoute, type ApiVersion, route } from "../../kernel/http/route.js";
import { findProfile, findProfileByEmail } from "../data-access/store.js";
import type { UsersContext } from "../domain/context.js";

/**
 * Other people, as much as working together needs: a name for an id (who moved this task,
 * who is assigned) and an id for an exact email address (to assign someone). Never a list,
 * and never another person's email.
 */

const versions: readonly ApiVersion[] = [1];
const personSchema = z.object({ id: z.string(), displayName: z.string() });

export function peopleRoutes(ctx: UsersContext): AnyRoute[] {
  return [
    route({
      method: "get",
      path: "/users",
      versions,
      summary: "Find a person by their exact email address",
      tag: "users",
      query: z.object({ email: z.string().trim().email().max(254) }),
      responses: { 200: { description: "The person", schema: personSchema } },
      handler: async ({ query }) => {
        const profile = await findProfileByEmail(ctx.db, query.email);
        if (!profile) throw new NotFoundError("user with email", query.email);
        return { status: 200, body: { id: profile.id, displayName: profile.displayName } };
      },
    }),
    route({
      method: "get",
      path: "/users/:userId",
      versions,
      summary: "A person's display name",
      tag: "users",
      params: z.object({ userId: z.string().min(1).max(64) }),
      responses: { 200: { description: "The person", schema: personSchema } },
      handler: async ({ params }) => {
        const profile = await findProfile(ctx.db, params.userId);
        if (!profile) throw new NotFoundError("user", params.userId);
        return { status: 200, body: { id: profile.id, displayName: profile.displayName } };
      },
    }),
  ];
}
