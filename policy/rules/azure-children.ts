import type { PolicyResource } from "@pulumi/policy";

/**
 * Whether `child` belongs to `parent` by its ARM id (`<parent id>/<segment>/<name>`). Path
 * parameters such as serverName or scope are inputs that Azure does not return, so after an
 * update a stack-level rule can count only on the child's id. Azure ids compare case-insensitively.
 */
export function isChildOf(child: PolicyResource, parent: PolicyResource, segment: string): boolean {
  const id = String(child.props.id ?? "").toLowerCase();
  const prefix = `${String(parent.props.id ?? "").toLowerCase()}/${segment.toLowerCase()}/`;
  return prefix.length > segment.length + 2 && id.startsWith(prefix);
}

/** The Flexible Server parameters of `server` that are on, by name. */
export function serverParametersOn(resources: readonly PolicyResource[], server: PolicyResource, type: string) {
  return new Set(
    resources
      .filter((r) => r.type === type && isChildOf(r, server, "configurations"))
      .filter((r) => ["on", "1", "true"].includes(String(r.props.value).toLowerCase()))
      .map((r) => String(r.props.name ?? r.props.configurationName)),
  );
}
