import { describe, expect, it } from "vitest";
import { signingKeyFromPem } from "../services/identity/domain/signing-key.js";
import { platform } from "../services/platform.js";
import { BUILT_PROVIDERS } from "./select.js";
import { containerEnvironment } from "./testing/checks.js";
import { readStack } from "./testing/read-stack.js";
import { runStack } from "./testing/run-stack.js";

/**
 * The key the stack generates (a real one under the mocks, see components/testing/generated.ts)
 * is one the identity service accepts at start-up: both sides use ES256.
 */
describe.each(BUILT_PROVIDERS)("%s: the generated JWT signing key", (provider) => {
  it("is an EC P-256 key the identity service starts with", async () => {
    const run = await runStack(provider);
    const env = containerEnvironment(await readStack(run, platform), "identity");
    const key = await signingKeyFromPem(env.JWT_PRIVATE_KEY as string);
    expect(key.alg).toBe("ES256");
    expect(key.publicJwk).toMatchObject({ kty: "EC", crv: "P-256" });
  }, 60_000);
});
