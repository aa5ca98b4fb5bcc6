import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashes: scrypt with a random per-user salt, stored as
 * `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>` so the cost can be raised later without
 * breaking existing hashes (each hash carries its own parameters).
 */

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * About 50 ms on one idle core. OWASP's password storage guidance now lists settings of six
 * to eight times this work (N=2^15, r=8, p=3 is one); at that cost a check took 440-470 ms on
 * a loaded 2-core machine and concurrent registrations passed the gateway's 2 s upstream
 * timeout, so raising it waits for sign-in's own timeout budget. Hashes carry their cost, and
 * a hash below this one is re-hashed on the next successful sign-in, so raising it is this line.
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 16_384, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 128 * cost.N * cost.r * 2 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, cost);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4]!, "base64url");
  const expected = Buffer.from(parts[5]!, "base64url");
  const actual = await derive(password, salt, { N, r, p });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** True when `stored` was made at a lower cost than `cost` (or cannot be read), so it is worth re-hashing. */
export function needsRehash(stored: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): boolean {
  const [N, r, p] = stored.split("$").slice(1, 4).map(Number) as [number, number, number];
  return !(N * r * p >= cost.N * cost.r * cost.p && N >= cost.N);
}

/**
 * A hash of a password nobody has, so a login for an unknown email spends the same time as
 * one for a known email and the response time does not reveal which emails exist.
 */
const decoys = new Map<string, Promise<string>>();
/** One per cost: a decoy of another cost than the accounts' hashes would take another time. */
export function decoyHash(cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const key = `${cost.N}$${cost.r}$${cost.p}`;
  let decoy = decoys.get(key);
  if (!decoy) {
    decoy = hashPassword(randomBytes(16).toString("hex"), cost);
    decoys.set(key, decoy);
  }
  return decoy;
}
