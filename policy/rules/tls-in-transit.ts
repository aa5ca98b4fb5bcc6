import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import type { Rule } from "../rule.js";
import { at, label, list, ofType } from "../rule.js";
import { serverParametersOn } from "./azure-children.js";
import { AWS, AZURE, GCP, K8S } from "./types.js";

interface TlsConfig {
  /** The stack's public entry point may answer plain HTTP (a dev stack without a domain). */
  allowPlainHttp?: boolean;
}

/**
 * Connections to the database, the cache and the public entry point are encrypted. Cloud Run
 * serves only HTTPS, so on GCP the entry point has nothing to check; on AWS a public listener is
 * HTTPS, or HTTP that only redirects to HTTPS, unless the stack explicitly allows plain HTTP.
 */
export const tlsInTransit: Rule = {
  name: "tls-in-transit",
  description: "The database, the cache and the public entry point accept only TLS connections.",
  severity: "high",
  enforcementLevel: "mandatory",
  types: {
    aws: [AWS.rds, AWS.rdsParams, AWS.redis, AWS.loadBalancer, AWS.listener],
    gcp: [GCP.sql, GCP.redis],
    kubernetes: [K8S.postgres, K8S.statefulSet, K8S.kafka, K8S.ingress],
    azure: [
      AZURE.postgres,
      AZURE.postgresParameter,
      AZURE.redis,
      AZURE.redisDatabase,
      AZURE.serviceBus,
      AZURE.containerApp,
      AZURE.storageAccount,
    ],
  },
  configSchema: {
    properties: {
      allowPlainHttp: {
        type: "boolean",
        default: false,
        description: "Accept a public HTTP listener (only for a stack without a domain, such as dev).",
      },
    },
  },
  remediationSteps:
    "Set rds.force_ssl=1 in the RDS parameter group, transitEncryptionEnabled on ElastiCache, sslMode ENCRYPTED_ONLY on Cloud SQL, transitEncryptionMode SERVER_AUTHENTICATION on Memorystore, and give the public load balancer a certificate (taskflow:domain and taskflow:certificateArn); on Azure, the server parameter require_secure_transport=on, minimumTlsVersion 1.2 and clientProtocol Encrypted on Managed Redis, minimumTlsVersion 1.2 on Service Bus and storage, and allowInsecure false on Container Apps ingress.",
  validateStack: (args, report) => {
    const { resources } = args;
    const { allowPlainHttp = false } = args.getConfig<TlsConfig>();
    const params = new Map(ofType(resources, AWS.rdsParams).map((p) => [String(p.props.name), p]));
    for (const db of ofType(resources, AWS.rds)) {
      const group = params.get(String(db.props.parameterGroupName));
      const forced = list(group?.props.parameters).some(
        (p) => at(p, "name") === "rds.force_ssl" && String(at(p, "value")) === "1",
      );
      if (!forced) report(`${label(db)} does not force TLS: its parameter group lacks rds.force_ssl=1`, db.urn);
    }
    for (const cache of ofType(resources, AWS.redis)) {
      if (cache.props.transitEncryptionEnabled !== true)
        report(`${label(cache)} has transitEncryptionEnabled off`, cache.urn);
    }
    const publicLbs = new Set(
      ofType(resources, AWS.loadBalancer)
        .filter((lb) => lb.props.internal !== true)
        .map((lb) => String(lb.props.arn)),
    );
    for (const listener of ofType(resources, AWS.listener)) {
      if (!publicLbs.has(String(listener.props.loadBalancerArn))) continue;
      const protocol = String(listener.props.protocol ?? "HTTP");
      if (protocol === "HTTPS" || protocol === "TLS") continue;
      const redirects = list(listener.props.defaultActions).every(
        (a) => at(a, "type") === "redirect" && at(a, "redirect", "protocol") === "HTTPS",
      );
      if (!redirects && !allowPlainHttp)
        report(
          `${label(listener)} serves the public entry point over plain ${protocol} without redirecting to HTTPS`,
          listener.urn,
        );
    }
    for (const pg of ofType(resources, K8S.postgres)) {
      const hba = list(at(pg.props, "spec", "postgresql", "pg_hba")).map(String);
      if (hba.length === 0 || hba.some((line) => /^host(nossl)?\s/.test(line)))
        report(`${label(pg)} accepts connections without TLS (pg_hba has no hostssl-only rules)`, pg.urn);
    }
    for (const set of ofType(resources, K8S.statefulSet)) {
      for (const container of list(at(set.props, "spec", "template", "spec", "containers"))) {
        const args = list(at(container, "args")).map(String);
        if (!args.includes("--tls-port")) continue;
        if (args[args.indexOf("--port") + 1] !== "0" || !args.includes("--port"))
          report(`${label(set)} serves Redis on a plain port beside TLS (--port is not 0)`, set.urn);
      }
    }
    for (const kafka of ofType(resources, K8S.kafka)) {
      for (const l of list(at(kafka.props, "spec", "kafka", "listeners")))
        if (at(l, "tls") !== true)
          report(`${label(kafka)} has the plain listener "${String(at(l, "name"))}"`, kafka.urn);
    }
    for (const ingress of ofType(resources, K8S.ingress)) {
      if (list(at(ingress.props, "spec", "tls")).length === 0 && !allowPlainHttp)
        report(`${label(ingress)} serves the public entry point without TLS (no spec.tls)`, ingress.urn);
    }
    checkAzure(resources, allowPlainHttp, report);
    for (const sql of ofType(resources, GCP.sql)) {
      const ip = at(sql.props, "settings", "ipConfiguration");
      const mode = at(ip, "sslMode");
      const ok =
        mode === "ENCRYPTED_ONLY" ||
        mode === "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" ||
        (mode === undefined && at(ip, "requireSsl") === true);
      if (!ok) report(`${label(sql)} accepts unencrypted connections (sslMode ${String(mode ?? "unset")})`, sql.urn);
    }
    for (const redis of ofType(resources, GCP.redis)) {
      if (redis.props.transitEncryptionMode !== "SERVER_AUTHENTICATION")
        report(
          `${label(redis)} has transitEncryptionMode ${String(redis.props.transitEncryptionMode ?? "unset")}`,
          redis.urn,
        );
    }
  },
};

const TLS12 = new Set(["1.2", "1.3", "TLS1_2", "TLS1_3"]);

/** Flexible Server, Managed Redis, Service Bus, storage and Container Apps ingress. */
function checkAzure(resources: PolicyResource[], allowPlainHttp: boolean, report: ReportViolation): void {
  for (const server of ofType(resources, AZURE.postgres)) {
    if (!serverParametersOn(resources, server, AZURE.postgresParameter).has("require_secure_transport"))
      report(`${label(server)} does not require TLS: no require_secure_transport=on parameter`, server.urn);
  }
  for (const r of ofType(resources, AZURE.redis, AZURE.serviceBus, AZURE.storageAccount)) {
    if (!TLS12.has(String(r.props.minimumTlsVersion)))
      report(
        `${label(r)} accepts TLS below 1.2 (minimumTlsVersion ${String(r.props.minimumTlsVersion ?? "unset")})`,
        r.urn,
      );
  }
  for (const account of ofType(resources, AZURE.storageAccount)) {
    if (account.props.enableHttpsTrafficOnly === false) report(`${label(account)} accepts plain HTTP`, account.urn);
  }
  for (const database of ofType(resources, AZURE.redisDatabase)) {
    if (database.props.clientProtocol === "Plaintext")
      report(`${label(database)} accepts plain-text clients`, database.urn);
  }
  for (const app of ofType(resources, AZURE.containerApp)) {
    const ingress = at(app.props, "configuration", "ingress");
    if (at(ingress, "allowInsecure") === true && (at(ingress, "external") !== true || !allowPlainHttp))
      report(`${label(app)} serves plain HTTP beside HTTPS (ingress allowInsecure)`, app.urn);
  }
}
