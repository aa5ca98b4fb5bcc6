import type { Rule } from "../rule.js";
import { at, json, label, list, ofType } from "../rule.js";
import { AWS, AZURE, GCP, K8S } from "./types.js";

/** Setting names whose value is a credential whatever it looks like. */
const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|DATABASE_URL|CACHE_URL|CONNECTION_STRING)$/;
/** A URL with a password in it, or a PEM private key. */
const SECRET_VALUE = /:\/\/[^/\s:@]*:[^@\s/]+@|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * Containers receive secrets as references the platform resolves at start (ECS `secrets`
 * valueFrom, Cloud Run valueSource.secretKeyRef), never as plain environment values that show
 * in the console, the task definition and the state file.
 */
export const secretsByReference: Rule = {
  name: "secrets-by-reference",
  description: "Secrets reach containers only by reference to the secret store, never as plain environment values.",
  severity: "critical",
  enforcementLevel: "mandatory",
  types: {
    aws: [AWS.taskDefinition, AWS.secretVersion],
    gcp: [GCP.run, GCP.secretVersion],
    kubernetes: [K8S.deployment, K8S.statefulSet],
    azure: [AZURE.containerApp],
  },
  remediationSteps:
    "Store the value in Secrets Manager, Secret Manager or Key Vault and pass it as an ECS `secrets` entry, a Cloud Run secretKeyRef, or a Container Apps secret with keyVaultUrl that the env names by secretRef.",
  validateStack: ({ resources }, report) => {
    const stored = [
      ...ofType(resources, AWS.secretVersion).map((v) => v.props.secretString),
      ...ofType(resources, GCP.secretVersion).map((v) => v.props.secretData),
    ].filter((v): v is string => typeof v === "string" && v.length >= 8);
    const check = (urn: string, who: string, name: string, value: unknown) => {
      if (typeof value !== "string" || value === "") return;
      if (SECRET_NAME.test(name)) report(`${who} passes ${name} as a plain value`, urn);
      else if (SECRET_VALUE.test(value)) report(`${who} passes a credential in ${name}`, urn);
      else if (stored.some((secret) => value.includes(secret)))
        report(`${who} passes a stored secret's value in ${name}`, urn);
    };
    for (const task of ofType(resources, AWS.taskDefinition)) {
      for (const container of list(json(task.props.containerDefinitions)))
        for (const env of list(at(container, "environment")))
          check(task.urn, label(task), String(at(env, "name")), at(env, "value"));
    }
    for (const workload of ofType(resources, K8S.deployment, K8S.statefulSet)) {
      for (const container of list(at(workload.props, "spec", "template", "spec", "containers")))
        for (const env of list(at(container, "env")))
          check(workload.urn, label(workload), String(at(env, "name")), at(env, "value"));
    }
    // Container Apps keeps a secret either as a value in the app (visible to anyone who reads the
    // app) or as a Key Vault reference read through the app's identity; only the reference is allowed.
    for (const app of ofType(resources, AZURE.containerApp)) {
      for (const secret of list(at(app.props, "configuration", "secrets")))
        if (at(secret, "value") !== undefined || !at(secret, "keyVaultUrl"))
          report(
            `${label(app)} keeps secret "${String(at(secret, "name"))}" as a value, not a Key Vault reference`,
            app.urn,
          );
      for (const container of list(at(app.props, "template", "containers")))
        for (const env of list(at(container, "env")))
          check(app.urn, label(app), String(at(env, "name")), at(env, "value"));
    }
    for (const run of ofType(resources, GCP.run)) {
      for (const container of list(at(run.props, "template", "containers")))
        for (const env of list(at(container, "envs")))
          check(run.urn, label(run), String(at(env, "name")), at(env, "value"));
    }
  },
};
