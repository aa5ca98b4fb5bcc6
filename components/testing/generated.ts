import { generateKeyPairSync, randomInt } from "node:crypto";

/**
 * What the random and tls providers compute on create, computed the same way here, so a value
 * a stack generates under the mocks is one a service can really use (or really refuse).
 */

type Inputs = Record<string, unknown>;

const GENERATED = new Set<string>();

/**
 * Every secret value generated in this process so far, for checks that must prove none of them
 * was written out (a rendered manifest, a plain env value) without holding the graph itself.
 */
export function generatedSoFar(): readonly string[] {
  return [...GENERATED];
}

function remember<T extends string>(value: T): T {
  GENERATED.add(value);
  return value;
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const NUMERIC = "0123456789";
/** The random provider's default special characters. */
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

const flag = (value: unknown) => value !== false;
const count = (value: unknown) => (typeof value === "number" ? value : 0);

/** random.RandomPassword / RandomString: `length` characters from the enabled sets, each minimum met. */
export function randomPassword(inputs: Inputs): string {
  const length = Number(inputs.length);
  if (!Number.isInteger(length) || length < 1)
    throw new Error(`[taskflow] [mocks] RandomPassword length ${inputs.length}`);
  const special = typeof inputs.overrideSpecial === "string" ? inputs.overrideSpecial : SPECIAL;
  const sets = [
    { chars: UPPER, on: flag(inputs.upper), min: count(inputs.minUpper) },
    { chars: LOWER, on: flag(inputs.lower), min: count(inputs.minLower) },
    { chars: NUMERIC, on: flag(inputs.numeric ?? inputs.number), min: count(inputs.minNumeric) },
    { chars: special, on: flag(inputs.special), min: count(inputs.minSpecial) },
  ].filter((set) => set.on && set.chars.length > 0);
  const all = sets.map((set) => set.chars).join("");
  const pick = (chars: string) => chars[randomInt(chars.length)] as string;
  const chars = sets.flatMap((set) => Array.from({ length: set.min }, () => pick(set.chars)));
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return remember(chars.join(""));
}

const CURVES: Record<string, string> = { P224: "P-224", P256: "P-256", P384: "P-384", P521: "P-521" };

/** tls.PrivateKey: a real key of the algorithm, size or curve asked for (the provider's defaults otherwise). */
export function privateKey(inputs: Inputs): Inputs {
  const algorithm = String(inputs.algorithm);
  const pair = (() => {
    switch (algorithm) {
      case "RSA":
        return generateKeyPairSync("rsa", { modulusLength: Number(inputs.rsaBits ?? 2048) });
      case "ECDSA": {
        const curve = CURVES[String(inputs.ecdsaCurve ?? "P224")];
        if (!curve) throw new Error(`[taskflow] [mocks] tls.PrivateKey ecdsaCurve ${inputs.ecdsaCurve}`);
        return generateKeyPairSync("ec", { namedCurve: curve });
      }
      case "ED25519":
        return generateKeyPairSync("ed25519");
      default:
        throw new Error(`[taskflow] [mocks] tls.PrivateKey algorithm ${algorithm}`);
    }
  })();
  const traditional = algorithm === "RSA" ? "pkcs1" : algorithm === "ECDSA" ? "sec1" : "pkcs8";
  return {
    privateKeyPem: remember(pair.privateKey.export({ format: "pem", type: traditional }).toString()),
    privateKeyPemPkcs8: remember(pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString()),
    publicKeyPem: pair.publicKey.export({ format: "pem", type: "spki" }).toString(),
  };
}
