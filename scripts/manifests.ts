import type { RecordedResource } from "../components/testing/mocks.js";

/** One object as `kubectl apply` takes it. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** A Helm release the stack installs; GitOps tooling installs it from the same chart and values. */
export interface HelmRelease {
  readonly name: string;
  readonly chart: string;
  readonly version: string;
  readonly repo?: string;
  readonly namespace: string;
  readonly values: unknown;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const PROVIDER = "pulumi:providers:kubernetes";

/** API groups whose schemas kubernetes-models ships; everything else is a custom resource. */
export const CORE_GROUPS = ["v1", "apps/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1"] as const;

export const isCore = (m: Manifest) => (CORE_GROUPS as readonly string[]).includes(m.apiVersion);

/** Splits a mocked graph into plain objects and Helm releases; @pulumi/tls and random resources stay in Pulumi. */
export function manifestsOf(resources: readonly RecordedResource[]): { objects: Manifest[]; releases: HelmRelease[] } {
  const objects: Manifest[] = [];
  const releases: HelmRelease[] = [];
  for (const r of resources) {
    if (r.type === HELM_RELEASE) {
      const i = r.inputs as Record<string, unknown>;
      releases.push({
        name: String(i.name),
        chart: String(i.chart),
        version: String(i.version),
        repo: (i.repositoryOpts as { repo?: string } | undefined)?.repo,
        namespace: String(i.namespace),
        values: i.values,
      });
    } else if (r.type.startsWith("kubernetes:") && r.type !== PROVIDER) {
      objects.push(r.inputs as unknown as Manifest);
    }
  }
  return { objects, releases };
}

/**
 * A Secret as a file: its keys kept, its values emptied. Under mocks every generated password
 * and key is a stand-in, and a real one never belongs in a repository; fill them with your
 * secret tooling (External Secrets, Sealed Secrets, `kubectl create secret`).
 */
export function redacted(m: Manifest): Manifest {
  if (m.apiVersion !== "v1" || m.kind !== "Secret") return m;
  const keys = Object.keys((m.stringData as Record<string, unknown> | undefined) ?? {});
  return { ...m, stringData: Object.fromEntries(keys.map((k) => [k, ""])) };
}

/** Validates a core object against the Kubernetes schemas kubernetes-models ships; throws naming the object and the problem. */
export async function validateCore(m: Manifest): Promise<void> {
  const module = (await import(`kubernetes-models/${m.apiVersion}`)) as Record<
    string,
    new (
      data: unknown,
    ) => { validate(): void }
  >;
  const Model = module[m.kind];
  if (!Model) throw new Error(`[taskflow] [manifests] kubernetes-models has no ${m.apiVersion} ${m.kind}`);
  try {
    new Model(m).validate();
  } catch (error) {
    throw new Error(`[taskflow] [manifests] ${m.kind} ${m.metadata.name} is not valid: ${(error as Error).message}`);
  }
}

/** `<kind>-<name>.yaml`, lower case: one file per object, unique within a stack. */
export const fileName = (m: Manifest) => `${m.kind.toLowerCase()}-${m.metadata.name}.yaml`;
