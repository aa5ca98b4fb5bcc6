import { createHash } from "node:crypto";
import { z } from "zod";
import { type AnyRoute, API_VERSIONS, type ApiVersion, openApiPath } from "./route.js";
import { problemSchema } from "./schemas.js";
import type { Deprecation } from "./versioning.js";

/**
 * The OpenAPI 3.1 document, generated from the same route declarations (and zod schemas)
 * that validate requests, so what is documented is what is served.
 */

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
    reused: "inline",
  }) as JsonSchema;
  return rest;
}

function parameters(location: "path" | "query", schema: z.ZodType | undefined): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || (object.required ?? []).includes(name),
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    schema: property,
  }));
}

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

function pickSchema(schema: z.ZodType | Partial<Record<ApiVersion, z.ZodType>> | undefined, version: ApiVersion) {
  if (!schema) return undefined;
  if (schema instanceof z.ZodType) return schema;
  return schema[version];
}

export function buildOpenApi(
  routes: readonly AnyRoute[],
  info: OpenApiInfo,
  deprecated: Partial<Record<ApiVersion, Deprecation>> = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    for (const version of spec.versions ?? API_VERSIONS) {
      const path = `/api/v${version}${openApiPath(spec.path)}`;
      const responses: Record<string, unknown> = {};
      for (const [status, response] of Object.entries(spec.responses)) {
        const schema = pickSchema(response.schema, version);
        responses[status] = {
          description: response.description,
          ...(schema ? { content: { "application/json": { schema: jsonSchema(schema, "output") } } } : {}),
        };
      }
      responses["400"] = problem("Invalid input; `errors` names each bad field");
      if (spec.auth !== false) responses["401"] = problem("Missing or invalid credentials");
      if (spec.path.includes(":")) responses["404"] = problem("Not found, or not the caller's");
      if (spec.method !== "get") responses["409"] = problem("Conflicts with the current state or a unique name");
      if (spec.ifMatch) responses["412"] = problem("The resource changed since the ETag in If-Match");
      if (spec.method !== "get") responses["422"] = problem("Breaks a business rule");
      if (spec.ifMatch === "required") responses["428"] = problem("If-Match is required");
      const headers: JsonSchema[] = [];
      if (spec.ifMatch) {
        headers.push({
          name: "If-Match",
          in: "header",
          required: spec.ifMatch === "required",
          description: "The ETag of the version this change is based on",
          schema: { type: "string" },
        });
      }
      if (spec.idempotencyKey) {
        headers.push({
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description: "Retries with the same key replay the first response",
          schema: { type: "string", maxLength: 255 },
        });
      }
      const operation: Record<string, unknown> = {
        operationId: `${spec.method}${spec.path.replace(/[/:{}-]+(\w)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}V${version}`,
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        tags: [spec.tag],
        ...(deprecated[version] ? { deprecated: true } : {}),
        parameters: [...parameters("path", spec.params), ...parameters("query", spec.query), ...headers],
        ...(spec.body
          ? {
              requestBody: {
                required: true,
                content: { "application/json": { schema: jsonSchema(spec.body, "input") } },
              },
            }
          : {}),
        responses,
        security: spec.auth === false ? [] : [{ bearerAuth: [] }],
      };
      paths[path] ??= {};
      paths[path][spec.method] = operation;
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    paths,
    components: {
      schemas: { Problem: jsonSchema(problemSchema, "output") },
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}

/** Renders the document in the page; inline, since the machine may be offline (no CDN). */
const DOCS_SCRIPT = `
fetch("/api/docs/openapi.json").then(r => r.json()).then(doc => {
  const root = document.getElementById("ops"); root.textContent = "";
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const d = document.createElement("details"); d.className = "op";
    const s = document.createElement("summary");
    s.innerHTML = '<span class="m"></span> <code></code> <span></span>';
    s.children[0].textContent = method.toUpperCase(); s.children[1].textContent = path;
    s.children[2].textContent = op.summary + (op.deprecated ? " (deprecated)" : "");
    if (op.deprecated) s.className = "dep";
    const pre = document.createElement("pre"); pre.textContent = JSON.stringify(op, null, 2);
    d.append(s, pre); root.append(d);
  }
});
`;
const DOCS_STYLE = `body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}h2{margin-top:2rem}
.op{border:1px solid #ccc;border-radius:4px;margin:.5rem 0;padding:.5rem}.m{font-weight:bold;display:inline-block;width:4rem}
.dep{color:#a00}pre{background:#f6f6f6;padding:.5rem;overflow:auto}`;
const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** The docs page's policy: its own script and style (by hash) and reads of this origin, nothing else. */
export const DOCS_PAGE_CSP = `default-src 'none'; script-src ${sha256(DOCS_SCRIPT)}; style-src ${sha256(DOCS_STYLE)}; connect-src 'self'; frame-ancestors 'none'`;

/** A self-contained page that renders the document. */
export function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} API</title>
<style>${DOCS_STYLE}</style></head>
<body><h1>${title} API</h1><p><a href="/api/docs/openapi.json">openapi.json</a></p><div id="ops">Loading...</div>
<script>${DOCS_SCRIPT}</script></body></html>`;
}
