import { describe, expect, it } from "vitest";
import { ConflictError, UnprocessableError } from "../../kernel/errors.js";
import { assertDescriptionDiffers, assertRoomForOrganization, assertRoomForProject } from "./rules.js";

describe("organization and project rules", () => {
  it("an owner has at most 6 organizations", () => {
    expect(() => assertRoomForOrganization(5)).not.toThrow();
    expect(() => assertRoomForOrganization(6)).toThrow(ConflictError);
  });

  it("an organization has at most 6 projects", () => {
    expect(() => assertRoomForProject(5)).not.toThrow();
    expect(() => assertRoomForProject(6)).toThrow(/at most 6 projects/);
  });

  it("a description must differ from the name", () => {
    expect(() => assertDescriptionDiffers("Acme", " acme ")).toThrow(UnprocessableError);
    expect(() => assertDescriptionDiffers("Acme", "Makes anvils")).not.toThrow();
    expect(() => assertDescriptionDiffers("Acme", null)).not.toThrow();
  });
});
