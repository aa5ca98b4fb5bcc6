import { createLocalJWKSet } from "jose";
import type { Subscription } from "../../adapters/core/message-broker.js";
import { firstOf, jwtIdentitySource } from "../kernel/auth/caller.js";
import { createRevocationPoller, REVOCATIONS_PATH } from "../kernel/auth/revocations.js";
import type { MigrationSource } from "../kernel/db/migrate.js";
import { ValidationError } from "../kernel/errors.js";
import { createHttpApp, type HttpApp } from "../kernel/http/app.js";
import { subscribeWithInbox } from "../kernel/messaging/inbox.js";
import type { ServiceRuntime } from "../kernel/runtime.js";
import { pruneThrottles } from "./data-access/identity-store.js";
import type { IdentityContext } from "./domain/accounts.js";
import { LOCKOUT_MS } from "./domain/lockout.js";
import type { ScryptCost } from "./domain/password.js";
import { revocationsSince } from "./domain/revocations.js";
import {
  jwks,
  LOCAL_SIGNING_KEY_FILE,
  loadOrCreateSigningKey,
  type SigningKey,
  signingKeyFromPem,
} from "./domain/signing-key.js";
import { userEventsEffect } from "./domain/user-events.js";
import { identityRoutes } from "./http/routes.js";

/** The identity service: accounts, sessions, API keys and the public keys that verify its tokens. */

export const IDENTITY_MIGRATIONS: MigrationSource = {
  scope: "identity",
  dir: new URL("./data-access/migrations/", import.meta.url),
};

/** The signing key from `JWT_PRIVATE_KEY`, or in local mode the generated one kept on disk. */
export async function resolveSigningKey(
  env: ServiceRuntime["env"],
  localFile = LOCAL_SIGNING_KEY_FILE,
): Promise<SigningKey> {
  if (env.JWT_PRIVATE_KEY) return signingKeyFromPem(env.JWT_PRIVATE_KEY);
  if (env.CLOUD_PROVIDER !== "local") {
    throw new Error("[taskflow] [identity] JWT_PRIVATE_KEY is required outside local mode");
  }
  return loadOrCreateSigningKey(localFile);
}

/** Verification keys for services in the same process as identity (local mode, tests): no JWKS fetch. */
export function localVerificationKeys(key: SigningKey) {
  return createLocalJWKSet(jwks([key]));
}

/** What identity needs from its runtime; tests can hand it these without opening one. */
export type IdentityDeps = Pick<
  ServiceRuntime,
  "db" | "broker" | "log" | "identity" | "readiness" | "topicName" | "subscriptionName"
> & {
  readonly env: Pick<ServiceRuntime["env"], "JWT_ISSUER" | "JWT_AUDIENCE">;
  /** Wakes the outbox relay after a commit, so events leave at once. */
  readonly notifyRelay?: () => void;
};

export interface IdentityServiceOptions {
  readonly key: SigningKey;
  /** Emails that get the admin role when they register. */
  readonly adminEmails?: readonly string[];
  /** Lower scrypt cost for tests only. */
  readonly scrypt?: ScryptCost;
  /** The clock (tests skip ahead with it). @default the system clock */
  readonly now?: () => Date;
  /** How often identity re-reads its own revocation list. @default the poller's (2 s) */
  readonly revocationPollMs?: number;
}

export interface IdentityService extends HttpApp {
  readonly context: IdentityContext;
  /** Stops consuming `identity-user-events`. */
  stop(): Promise<void>;
}

export async function createIdentityService(
  runtime: IdentityDeps,
  options: IdentityServiceOptions,
): Promise<IdentityService> {
  const context: IdentityContext = {
    db: runtime.db,
    ...(runtime.notifyRelay ? { notifyRelay: runtime.notifyRelay } : {}),
    key: options.key,
    tokens: { issuer: runtime.env.JWT_ISSUER, audience: runtime.env.JWT_AUDIENCE },
    ...(options.adminEmails ? { adminEmails: options.adminEmails } : {}),
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  const published = jwks([options.key]);
  // Identity verifies its own tokens with its own key and reads revocations from its own
  // database, so it needs neither its JWKS nor its list over the network. Other credentials
  // (the dev header in local mode) are still the runtime's.
  const revocations = createRevocationPoller({
    source: (since) => revocationsSince(context, since),
    log: runtime.log,
    ...(options.revocationPollMs ? { intervalMs: options.revocationPollMs } : {}),
  });
  const identity = firstOf(
    jwtIdentitySource({
      keys: localVerificationKeys(options.key),
      issuer: context.tokens.issuer,
      audience: context.tokens.audience,
      revocations,
    }),
    runtime.identity,
  );
  const http = createHttpApp({
    service: "identity",
    log: runtime.log,
    identity,
    routes: identityRoutes(context),
    db: runtime.db,
    readiness: runtime.readiness,
    configure: (app) => {
      app.get("/.well-known/jwks.json", (_req, res) => {
        res.setHeader("cache-control", "public, max-age=300");
        res.json(published);
      });
      app.get(REVOCATIONS_PATH, (req, res, next) => {
        const since = typeof req.query.since === "string" ? new Date(req.query.since) : undefined;
        if (since && Number.isNaN(since.getTime())) {
          next(
            new ValidationError("since must be an ISO 8601 date-time", [
              { field: "query.since", message: "not a date-time" },
            ]),
          );
          return;
        }
        revocationsSince(context, since).then((list) => {
          res.setHeader("cache-control", "no-store");
          res.json(list);
        }, next);
      });
    },
  });
  const pruning = setInterval(() => {
    pruneThrottles(runtime.db, new Date(Date.now() - LOCKOUT_MS)).catch((error: unknown) =>
      runtime.log.warn({ err: error }, "cannot prune sign-in throttles"),
    );
  }, 3_600_000);
  pruning.unref();
  const subscriptions: Subscription[] = [
    await subscribeWithInbox({
      db: runtime.db,
      broker: runtime.broker,
      subscription: "identity-user-events",
      effect: userEventsEffect(context),
      resolveTopic: runtime.topicName,
      resolveSubscription: runtime.subscriptionName,
    }),
  ];
  return {
    ...http,
    context,
    async stop() {
      revocations.close();
      clearInterval(pruning);
      await Promise.all(subscriptions.map((s) => s.close()));
    },
  };
}
