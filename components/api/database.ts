import type * as pulumi from "@pulumi/pulumi";
import type { Network } from "./network.js";

/** A managed PostgreSQL server on a private address only, encrypted, with backups. */
export interface DatabaseArgs {
  readonly network: Network;
  /** The database the application connects to. */
  readonly databaseName: string;
  /** PostgreSQL major version, e.g. "16". */
  readonly engineVersion: string;
  readonly storageGb: number;
  readonly backupRetentionDays: number;
  /**
   * The cloud's machine size (RDS instance class, Cloud SQL tier).
   * @default each cloud's smallest production size: "db.t4g.micro" (AWS), "db-custom-1-3840" (GCP)
   */
  readonly instanceSize?: string;
  /**
   * Refuse to delete the server; turn off before `pulumi destroy`.
   * @default DEFAULTS.deletionProtection (true)
   */
  readonly deletionProtection?: boolean;
}

export interface Database {
  /** `postgres://user:password@host:5432/name?sslmode=...`, marked secret. */
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  /** The server's name in the cloud console. */
  readonly serverName: pulumi.Output<string>;
  /**
   * PEM of the authorities that sign the server's TLS certificate (RDS's regional CAs, Cloud
   * SQL's per-instance CA), which Node does not trust by default; `connectionUrl` then asks for
   * sslmode=verify-ca or verify-full. Absent when the URL does not verify the certificate.
   */
  readonly tlsCaCertificate?: pulumi.Output<string>;
}
