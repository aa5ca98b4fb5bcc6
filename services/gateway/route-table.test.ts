import { describe, expect, it } from "vitest";
import { platform } from "../platform.js";
import { GATEWAY_ROUTES, matchRoute, splitVersion } from "./route-table.js";

describe("gateway route table", () => {
  it("has a route for every prefix every service declares", () => {
    for (const service of platform.services) {
      for (const prefix of service.routes) {
        expect(matchRoute(`${prefix}/x`)?.services, prefix).toEqual([service.name]);
      }
    }
  });

  it("matches views before prefixes and the longest prefix first", () => {
    expect(matchRoute("/boards/b1/details")?.kind).toBe("view");
    expect(matchRoute("/boards/b1/cards")).toMatchObject({ kind: "proxy", path: "/boards" });
    expect(matchRoute("/auth/login")?.access).toBe("public");
    expect(matchRoute("/auth/accounts")?.access).toBe("admin");
    expect(matchRoute("/api-keys")?.scopes).toBeUndefined();
    expect(matchRoute("/nothing-here")).toBeUndefined();
  });

  it("reads the version segment", () => {
    expect(splitVersion("/api/v2/boards/x")).toEqual({ version: 2, rest: "/boards/x" });
    expect(splitVersion("/apix/v1/boards")).toBeUndefined();
  });

  it("lists no route twice", () => {
    const paths = GATEWAY_ROUTES.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
  });
});
