import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { documentedOperations, servedApiRoutes } from "../../kernel/http/route-table.js";
import { useTasksApi } from "./test-api.js";

/**
 * The served OpenAPI document is valid and documents exactly the routes the app serves.
 */
describe("tasks HTTP API: OpenAPI document", () => {
  const api = useTasksApi();

  it("the OpenAPI document is valid and lists every route the service serves", async () => {
    const doc = await (await fetch(`${api().base}/api/docs/openapi.json`)).json();
    const result = await new Validator().validate(doc as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const served = servedApiRoutes(api().app.app);
    const documented = documentedOperations(doc as { paths: Record<string, object> });
    expect(served.size).toBeGreaterThan(40);
    expect(documented).toEqual(served);
    const page = await fetch(`${api().base}/api/docs`);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).not.toMatch(/https?:\/\//);
  });
});
