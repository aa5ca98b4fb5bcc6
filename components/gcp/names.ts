import type { NameRule } from "../api/names.js";

/** Limits of the GCP resources whose names the components choose themselves. */
export const GCP_NAMES = {
  /** GCP service account ids: 6 to 30 characters. */
  serviceAccount: { maxLength: 30, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Cloud Run service names: 49 characters. */
  cloudRun: { maxLength: 49, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Memorystore instance ids: 40 characters. */
  redis: { maxLength: 40, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Cloud SQL instance names: 98 characters, kept shorter for readability in the console. */
  sql: { maxLength: 63, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Pub/Sub topic and subscription ids: 255 characters. */
  pubSub: { maxLength: 255, allowed: /[a-zA-Z0-9._~+%-]/, startsWithLetter: true, lowerCase: true },
  /** Secret Manager and Artifact Registry ids: 63 characters kept portable. */
  id: { maxLength: 63, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
} as const satisfies Record<string, NameRule>;
