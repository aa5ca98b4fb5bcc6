import type { Rule } from "../rule.js";
import { at, json, label, list } from "../rule.js";
import { AWS, AZURE, GCP, K8S } from "./types.js";

/** AWS managed policies a service role may carry: each grants only what its name says. */
const AWS_MANAGED_ALLOWED = new Set(["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]);

/** Actions that AWS does not scope to a resource, so `Resource: "*"` is the only way to grant them. */
const UNSCOPED_ACTION = /^[a-z0-9-]+:(List|Describe)[A-Za-z]*$|^ecr:GetAuthorizationToken$/;

/**
 * Project-level roles a service may hold: none reads or writes application data. Data roles
 * (publisher, subscriber, secret accessor) belong on the one topic, subscription or secret.
 */
const GCP_PROJECT_ALLOWED = new Set([
  "roles/pubsub.viewer",
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
  "roles/cloudtrace.agent",
  "roles/cloudsql.client",
  "roles/cloudsql.instanceUser",
  "roles/errorreporting.writer",
]);
const GCP_BASIC = new Set(["roles/owner", "roles/editor", "roles/viewer"]);

/** Azure built-in roles whose actions are "*" (or that hand out roles): never for a service. */
const AZURE_PRIVILEGED: Record<string, string> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "18d7d88d-d35e-4fb5-a5c3-7773c4a72bc9": "User Access Administrator",
  "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
};
/** A scope that is a management group, a whole subscription or a whole resource group, not one resource. */
const AZURE_BROAD_SCOPE =
  /^\/?$|^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+\/?$|^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/?$/i;

function awsStatementProblems(document: unknown): string[] {
  const problems: string[] = [];
  for (const statement of list(at(document, "Statement"))) {
    if (at(statement, "Effect") !== "Allow") continue;
    if (at(statement, "NotAction") !== undefined) problems.push("allows NotAction (everything but a list)");
    const actions = list(at(statement, "Action")).map(String);
    for (const action of actions)
      if (action === "*" || action.endsWith(":*")) problems.push(`allows the wildcard action "${action}"`);
    const resources = list(at(statement, "Resource")).map(String);
    if (resources.includes("*")) {
      const scoped = actions.filter((a) => !UNSCOPED_ACTION.test(a));
      if (scoped.length > 0) problems.push(`grants ${scoped.join(", ")} on every resource ("*")`);
    }
  }
  return problems;
}

/** No wildcard actions, no grants on every resource, no project- or account-wide data roles. */
export const leastPrivilege: Rule = {
  name: "least-privilege",
  description: "No wildcard actions, and no project-, subscription- or account-wide data roles.",
  severity: "critical",
  enforcementLevel: "mandatory",
  types: {
    aws: [AWS.rolePolicy, AWS.policy, AWS.role, AWS.attachment],
    gcp: [GCP.projectMember, GCP.projectBinding, GCP.topicMember, GCP.subscriptionMember, GCP.secretMember],
    kubernetes: [K8S.role, K8S.clusterRole, K8S.clusterRoleBinding, K8S.kafkaUser],
    azure: [AZURE.roleAssignment, AZURE.roleDefinition],
  },
  remediationSteps:
    "Name each action and the exact ARNs it applies to (AWS); grant data roles on the topic, subscription or secret itself, never on the project (GCP); scope each Azure role assignment to the one topic, subscription, secret or registry, and name each action of a custom role.",
  validateResource: ({ type, props, name }, report) => {
    const who = label({ type, name });
    if (type === AWS.rolePolicy || type === AWS.policy) {
      for (const problem of awsStatementProblems(json(props.policy))) report(`${who} ${problem}`);
    }
    if (type === AWS.role) {
      for (const inline of list(props.inlinePolicies))
        for (const problem of awsStatementProblems(json(at(inline, "policy"))))
          report(`${who} inline policy ${problem}`);
      for (const arn of list(props.managedPolicyArns).map(String))
        if (!AWS_MANAGED_ALLOWED.has(arn)) report(`${who} carries the account-wide managed policy ${arn}`);
    }
    if (type === AWS.attachment && !AWS_MANAGED_ALLOWED.has(String(props.policyArn)))
      report(`${who} attaches ${String(props.policyArn)}, which is not scoped to the stack's own resources`);
    if (type === K8S.role || type === K8S.clusterRole) {
      for (const rule of list(props.rules))
        for (const field of ["verbs", "resources", "apiGroups"])
          if (list(at(rule, field)).includes("*")) report(`${who} allows "*" in ${field}`);
    }
    if (type === K8S.clusterRoleBinding) report(`${who} grants a role across every namespace`);
    if (type === K8S.kafkaUser) {
      for (const acl of list(at(props, "spec", "authorization", "acls"))) {
        if (list(at(acl, "operations")).includes("All")) report(`${who} has an ACL with operation All`);
        if (
          at(acl, "resource", "name") === "*" ||
          (at(acl, "resource", "patternType") === "prefix" && at(acl, "resource", "name") === "")
        )
          report(`${who} has an ACL on every ${String(at(acl, "resource", "type"))}`);
      }
    }
    if (type === AZURE.roleAssignment) {
      const role = String(props.roleDefinitionId).split("/").pop() ?? "";
      const scope = String(props.scope);
      if (AZURE_PRIVILEGED[role]) report(`${who} grants the built-in ${AZURE_PRIVILEGED[role]} role`);
      if (AZURE_BROAD_SCOPE.test(scope)) report(`${who} grants role ${role} on all of ${scope}, not one resource`);
    }
    if (type === AZURE.roleDefinition) {
      for (const permission of list(props.permissions))
        for (const field of ["actions", "dataActions"])
          for (const action of list(at(permission, field)).map(String))
            if (action === "*" || action.endsWith("/*")) report(`${who} allows the wildcard ${field} "${action}"`);
    }
    if (type === GCP.projectMember || type === GCP.projectBinding) {
      const role = String(props.role);
      if (!GCP_PROJECT_ALLOWED.has(role)) report(`${who} grants ${role} on the whole project`);
    } else if (type.startsWith("gcp:") && GCP_BASIC.has(String(props.role))) {
      report(`${who} grants the basic role ${String(props.role)}`);
    }
  },
};
