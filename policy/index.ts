import { PolicyPack } from "@pulumi/policy";
import { toPolicy } from "./rule.js";
import { RULES } from "./rules/index.js";

/**
 * The pack `pulumi preview --policy-pack policy` loads. Constructing it starts the analyzer's
 * gRPC server, so tests import the rules (rules/index.ts), never this file.
 */
new PolicyPack("taskflow", {
  description: "TaskFlow's production rules, one per concern, for every target's resource types.",
  policies: RULES.map(toPolicy),
});
