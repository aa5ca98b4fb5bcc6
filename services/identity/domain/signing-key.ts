import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { calculateJwkThumbprint, type JWK } from "jose";

/**
 * The key pair that signs access tokens. ES256: small signatures, fast verification. The key
 * id is the RFC 7638 thumbprint of the public key, so it changes exactly when the key does.
 */
export interface SigningKey {
  readonly kid: string;
  readonly alg: "ES256";
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

export async function signingKeyFromPem(pem: string): Promise<SigningKey> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new Error(
      `[taskflow] [identity] cannot read JWT_PRIVATE_KEY as a PKCS#8 PEM key: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (privateKey.asymmetricKeyType !== "ec" || privateKey.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new Error("[taskflow] [identity] JWT_PRIVATE_KEY must be an EC P-256 key (ES256)");
  }
  const jwk = createPublicKey(privateKey).export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  return { kid, alg: "ES256", privateKey, publicJwk: { ...jwk, kid, alg: "ES256", use: "sig" } };
}

export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

/** Where local mode keeps the generated signing key, under the working directory. */
export const LOCAL_SIGNING_KEY_FILE = join(".taskflow", "secrets", "identity-signing-key.pem");

/**
 * Local mode (docs/design.md, targets): the key is generated on first start and kept in
 * `file` (under `.taskflow/secrets/`), readable by its owner only, so tokens survive a restart.
 */
export async function loadOrCreateSigningKey(file: string): Promise<SigningKey> {
  let pem: string;
  try {
    pem = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`[taskflow] [identity] cannot read signing key "${file}": ${(error as Error).message}`, {
        cause: error,
      });
    }
    pem = generateSigningKeyPem();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, pem, { mode: 0o600, flag: "wx" }).catch(async (writeError) => {
      // Another process created it first: use theirs so both sign with the same key.
      if ((writeError as NodeJS.ErrnoException).code !== "EEXIST") throw writeError;
      pem = await readFile(file, "utf8");
    });
  }
  return signingKeyFromPem(pem);
}

/** The public half, as served at `/.well-known/jwks.json`. */
export function jwks(keys: readonly SigningKey[]): { keys: JWK[] } {
  return { keys: keys.map((key) => key.publicJwk) };
}
