import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { createApiKeySecret, parseApiKey } from "./api-key.js";
import { jwks, loadOrCreateSigningKey } from "./signing-key.js";
import { digestSecret, signAccessToken } from "./tokens.js";

const dir = await mkdtemp(join(tmpdir(), "taskflow-identity-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("signing key and access tokens", () => {
  it("generates the key once, keeps it private on disk, and reuses it", async () => {
    const file = join(dir, "signing-key.pem");
    const first = await loadOrCreateSigningKey(file);
    const again = await loadOrCreateSigningKey(file);
    expect(again.kid).toBe(first.kid);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toContain("BEGIN PRIVATE KEY");
    expect(JSON.stringify(jwks([first]))).not.toContain('"d"');
  });

  it("signs tokens the published JWKS verifies, with kid, issuer, audience and claims", async () => {
    const key = await loadOrCreateSigningKey(join(dir, "k2.pem"));
    const settings = { issuer: "iss-test", audience: "aud-test" };
    const token = await signAccessToken(key, settings, {
      sub: "u1",
      email: "a@b.c",
      roles: ["user"],
      scope: "tasks:read",
      apiKeyId: "key1",
    });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "ES256", kid: key.kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks([key])), settings);
    expect(payload).toMatchObject({ sub: "u1", email: "a@b.c", roles: ["user"], scope: "tasks:read", key_id: "key1" });
    expect(payload.exp! - payload.iat!).toBe(900);
  });
});

describe("API keys", () => {
  it("round-trips id and digest, and rejects keys of another shape", () => {
    const created = createApiKeySecret();
    expect(parseApiKey(created.key)).toEqual({ id: created.id, digest: created.digest });
    // The secret is base64url and may itself contain "_", so cut it by position, not by "_".
    const secret = created.key.slice(`tfk_${created.id}_`.length);
    expect(secret).toHaveLength(43);
    expect(created.digest).not.toContain(secret);
    expect(parseApiKey(`${created.key}x`)).toBeUndefined();
    expect(parseApiKey("Bearer abc")).toBeUndefined();
    expect(digestSecret("a")).not.toBe(digestSecret("b"));
  });
});
