import type * as pulumi from "@pulumi/pulumi";
import { type NameRule, physicalName } from "../api/names.js";

/** Limits of the Azure resources whose names the components choose themselves. */
export const AZURE_NAME_RULES = {
  /** Resource groups: 90 characters. */
  resourceGroup: { maxLength: 90, allowed: /[a-zA-Z0-9._()-]/, startsWithLetter: false, lowerCase: true },
  /** Key Vault: 3 to 24 letters, digits and dashes, globally unique. */
  keyVault: { maxLength: 24, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Key Vault secret names: 127 letters, digits and dashes. */
  keyVaultSecret: { maxLength: 127, allowed: /[a-zA-Z0-9-]/, startsWithLetter: false, lowerCase: true },
  /** Container registries: 5 to 50 letters and digits only, globally unique. */
  registry: { maxLength: 50, allowed: /[a-z0-9]/, startsWithLetter: true, lowerCase: true },
  /** Service Bus namespaces: 6 to 50 characters, globally unique. */
  serviceBusNamespace: { maxLength: 50, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Service Bus topics and subscriptions: 50 characters inside a namespace. */
  serviceBusEntity: { maxLength: 50, allowed: /[a-zA-Z0-9._-]/, startsWithLetter: false, lowerCase: true },
  /** PostgreSQL flexible servers: 3 to 63 characters, globally unique. */
  postgres: { maxLength: 63, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Azure Managed Redis clusters: 60 characters, globally unique. */
  redis: { maxLength: 60, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Storage accounts: 3 to 24 lower-case letters and digits, globally unique. */
  storageAccount: { maxLength: 24, allowed: /[a-z0-9]/, startsWithLetter: true, lowerCase: true },
  /** Container Apps: 2 to 32 characters. */
  containerApp: { maxLength: 32, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Container Apps environments, Log Analytics workspaces, identities, networks: 60 characters kept portable. */
  resource: { maxLength: 60, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
} as const satisfies Record<string, NameRule>;

/**
 * A globally unique name (Key Vault, registry, Service Bus, PostgreSQL, Redis): the readable
 * part fitted to the rule with room for the stack's random suffix, which keeps two stacks (or
 * a vault still held by soft delete) from colliding.
 */
export function globalName(
  rule: NameRule,
  suffix: pulumi.Output<string>,
  ...parts: readonly string[]
): pulumi.Output<string> {
  const separator = rule.allowed.test("-") ? "-" : "";
  return suffix.apply((s) => {
    const head = physicalName({ ...rule, maxLength: rule.maxLength - s.length - separator.length }, ...parts);
    return `${separator ? head : head.replace(/-/g, "")}${separator}${s}`;
  });
}
