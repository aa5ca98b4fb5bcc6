import type { Rule } from "../rule.js";
import { at, label, list, ofType } from "../rule.js";
import { AWS, AZURE, GCP, K8S } from "./types.js";

const OPEN = new Set(["0.0.0.0/0", "::/0"]);
const DATA_PORTS = [5432, 6379, 6380];

/** The database and the cache answer only inside the stack's private network. */
export const noPublicData: Rule = {
  name: "no-public-data-services",
  description: "No database or cache is reachable from the internet.",
  severity: "critical",
  enforcementLevel: "mandatory",
  types: {
    aws: [AWS.rds, AWS.redis, AWS.securityGroup, AWS.ingressRule, AWS.sgRule],
    gcp: [GCP.sql, GCP.redis],
    kubernetes: [K8S.service, K8S.postgres],
    azure: [AZURE.postgres, AZURE.postgresFirewallRule, AZURE.redis, AZURE.privateEndpoint],
  },
  remediationSteps:
    "Keep the data service in private subnets: publiclyAccessible false (RDS), no 0.0.0.0/0 ingress on its security group, ipv4Enabled false (Cloud SQL), authorizedNetwork set to the stack's VPC (Memorystore), network.publicNetworkAccess Disabled on a delegated subnet (Flexible Server), publicNetworkAccess Disabled and a private endpoint (Azure Managed Redis).",
  validateStack: ({ resources }, report) => {
    // Security groups that guard a data service, by id.
    const guarded = new Map<string, string>();
    for (const db of ofType(resources, AWS.rds)) {
      if (db.props.publiclyAccessible === true) report(`${label(db)} has publiclyAccessible true`, db.urn);
      for (const sg of list(db.props.vpcSecurityGroupIds)) guarded.set(String(sg), label(db));
    }
    for (const cache of ofType(resources, AWS.redis)) {
      for (const sg of list(cache.props.securityGroupIds)) guarded.set(String(sg), label(cache));
    }
    const opens = (cidrs: unknown[]) => cidrs.some((c) => OPEN.has(String(c)));
    // An inline rule's group id is not among a resource's properties, so inline rules are judged
    // by the data ports they open instead.
    for (const sg of ofType(resources, AWS.securityGroup)) {
      for (const rule of list(sg.props.ingress)) {
        const from = Number(at(rule, "fromPort"));
        const to = Number(at(rule, "toPort"));
        const cidrs = [...list(at(rule, "cidrBlocks")), ...list(at(rule, "ipv6CidrBlocks"))];
        if (opens(cidrs) && DATA_PORTS.some((port) => from <= port && port <= to))
          report(`${label(sg)} admits the internet on a database or cache port (${from}-${to})`, sg.urn);
      }
    }
    for (const rule of ofType(resources, AWS.ingressRule, AWS.sgRule)) {
      if (rule.type === AWS.sgRule && rule.props.type !== "ingress") continue;
      const service = guarded.get(String(rule.props.securityGroupId));
      const cidrs = [
        rule.props.cidrIpv4,
        rule.props.cidrIpv6,
        ...list(rule.props.cidrBlocks),
        ...list(rule.props.ipv6CidrBlocks),
      ];
      if (service && opens(cidrs)) report(`${label(rule)} opens ${service} to the internet`, rule.urn);
    }
    for (const sql of ofType(resources, GCP.sql)) {
      const ip = at(sql.props, "settings", "ipConfiguration");
      if (at(ip, "ipv4Enabled") !== false)
        report(`${label(sql)} has a public IPv4 address (ipv4Enabled is not false)`, sql.urn);
      if (list(at(ip, "authorizedNetworks")).some((n) => OPEN.has(String(at(n, "value")))))
        report(`${label(sql)} authorizes 0.0.0.0/0`, sql.urn);
    }
    // In a cluster, a data port on a LoadBalancer or NodePort Service is what makes it public.
    for (const service of ofType(resources, K8S.service)) {
      const type = String(at(service.props, "spec", "type") ?? "ClusterIP");
      const ports = list(at(service.props, "spec", "ports")).map((p) => Number(at(p, "port")));
      if ((type === "LoadBalancer" || type === "NodePort") && ports.some((p) => DATA_PORTS.includes(p)))
        report(`${label(service)} exposes a database or cache port as ${type}`, service.urn);
    }
    for (const pg of ofType(resources, K8S.postgres)) {
      for (const managed of list(at(pg.props, "spec", "managed", "services", "additional")))
        if (["LoadBalancer", "NodePort"].includes(String(at(managed, "serviceTemplate", "spec", "type"))))
          report(`${label(pg)} adds a ${String(at(managed, "serviceTemplate", "spec", "type"))} service`, pg.urn);
    }
    for (const server of ofType(resources, AZURE.postgres)) {
      if (at(server.props, "network", "publicNetworkAccess") !== "Disabled")
        report(`${label(server)} has public network access (network.publicNetworkAccess is not Disabled)`, server.urn);
    }
    for (const rule of ofType(resources, AZURE.postgresFirewallRule)) {
      if (rule.props.startIpAddress === "0.0.0.0" && rule.props.endIpAddress === "255.255.255.255")
        report(`${label(rule)} admits every IPv4 address`, rule.urn);
    }
    const endpoints = ofType(resources, AZURE.privateEndpoint).flatMap((e) =>
      list(at(e.props, "privateLinkServiceConnections")).map((c) => at(c, "privateLinkServiceId")),
    );
    for (const redis of ofType(resources, AZURE.redis)) {
      if (redis.props.publicNetworkAccess !== "Disabled")
        report(`${label(redis)} has public network access (publicNetworkAccess is not Disabled)`, redis.urn);
      if (!endpoints.includes(redis.props.id))
        report(
          `${label(redis)} has no private endpoint in the stack, so nothing inside the VNet reaches it`,
          redis.urn,
        );
    }
    for (const redis of ofType(resources, GCP.redis)) {
      if (typeof redis.props.authorizedNetwork !== "string" || redis.props.authorizedNetwork === "")
        report(`${label(redis)} has no authorizedNetwork, so it joins the project's default network`, redis.urn);
    }
  },
};
