import { createRequire } from "node:module";
import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import type { Rule } from "./rule.js";

const require = createRequire(import.meta.url);
// The engine hands a policy its properties as a protobuf Struct and deserializes them with the
// pack's own code; going through the same two steps keeps what a rule sees here what it sees in
// a preview (secrets unwrapped, undefined fields gone, unknowns caught by the proxy).
const { Struct } = require("google-protobuf/google/protobuf/struct_pb.js") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};
const { deserializeProperties } = require("@pulumi/policy/deserialize.js") as {
  deserializeProperties(struct: unknown, keepSecrets: boolean): Record<string, unknown>;
};

/** A resource as a stack registered it: the inputs the engine checks before it acts, the outputs after. */
export interface CheckedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** Outputs; the mocks give inputs plus what the cloud computes (ARNs, URLs). */
  readonly state: Record<string, unknown>;
  readonly id?: string;
  /** Pulumi's protect option, as the program sent it. */
  readonly protect?: boolean;
}

export interface Violation {
  readonly rule: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  readonly severity: string;
  readonly message: string;
  readonly urn?: string;
}

export interface PackResult {
  readonly violations: Violation[];
  /** Resources the pack looked at (each rule sees every resource). */
  readonly resourcesChecked: number;
  readonly mandatory: Violation[];
  readonly advisory: Violation[];
}

/** Per-rule config as `--policy-pack-config` gives it: an enforcement level and the rule's own properties. */
export type PackConfig = Record<
  string,
  { enforcementLevel?: "mandatory" | "advisory" | "disabled"; [key: string]: unknown }
>;

class NotApplicable extends Error {}

const urnOf = (r: CheckedResource) => `urn:pulumi:stack::taskflow::${r.type}::${r.name}`;

/** Plain JSON first: a Struct holds no undefined, and the engine never sends one. */
const toProps = (value: Record<string, unknown>) =>
  unknownCheckingProxy(deserializeProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(value))), false));

function configFor(rule: Rule, config: PackConfig): Record<string, unknown> {
  const defaults = Object.fromEntries(
    Object.entries(rule.configSchema?.properties ?? {})
      .filter(([, schema]) => schema.default !== undefined)
      .map(([key, schema]) => [key, schema.default]),
  );
  const { enforcementLevel: _level, ...own } = config[rule.name] ?? {};
  return { ...defaults, ...own };
}

const OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/**
 * Runs every rule on `resources` the way `pulumi preview --policy-pack policy` does: each
 * resource-level rule once per resource on its inputs, each stack-level rule once on every
 * resource's outputs; a rule that reads a value unknown during preview yields an advisory note
 * instead of a verdict, as the engine does.
 */
export async function runPack(
  rules: readonly Rule[],
  resources: readonly CheckedResource[],
  config: PackConfig = {},
): Promise<PackResult> {
  const violations: Violation[] = [];
  for (const rule of rules) {
    const level = config[rule.name]?.enforcementLevel ?? rule.enforcementLevel;
    if (level === "disabled") continue;
    const own = configFor(rule, config);
    const record =
      (enforcementLevel: "mandatory" | "advisory", fallbackUrn?: string): ReportViolation =>
      (message, urn) =>
        violations.push({
          rule: rule.name,
          enforcementLevel,
          severity: rule.severity,
          message,
          urn: urn ?? fallbackUrn,
        });
    const guard = async (run: () => void | Promise<void>, urn?: string) => {
      try {
        await run();
      } catch (error) {
        if (error instanceof UnknownValueError)
          record("advisory", urn)(`can't run policy '${rule.name}' during preview: ${(error as Error).message}`);
        else if (!(error instanceof NotApplicable)) throw error;
      }
    };
    const notApplicable = (reason?: string): never => {
      throw new NotApplicable(reason);
    };
    if (rule.validateResource) {
      const validate = rule.validateResource;
      for (const resource of resources) {
        const props = toProps(resource.inputs);
        const args: ResourceValidationArgs = {
          type: resource.type,
          name: resource.name,
          urn: urnOf(resource),
          props,
          opts: { ...OPTIONS, protect: resource.protect === true },
          stackTags: new Map(),
          isType: () => false,
          asType: () => undefined,
          getConfig: <T extends object>() => own as T,
          notApplicable,
        };
        await guard(() => validate(args, record(level, urnOf(resource))), urnOf(resource));
      }
    }
    if (rule.validateStack) {
      const validate = rule.validateStack;
      const policyResources: PolicyResource[] = resources.map((resource) => ({
        type: resource.type,
        name: resource.name,
        urn: urnOf(resource),
        props: toProps({ ...resource.state, ...(resource.id ? { id: resource.id } : {}) }),
        opts: { ...OPTIONS, protect: resource.protect === true },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }));
      const args: StackValidationArgs = {
        resources: policyResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => own as T,
        notApplicable,
      };
      await guard(() => validate(args, record(level)));
    }
  }
  return {
    violations,
    resourcesChecked: resources.length,
    mandatory: violations.filter((v) => v.enforcementLevel === "mandatory"),
    advisory: violations.filter((v) => v.enforcementLevel === "advisory"),
  };
}
