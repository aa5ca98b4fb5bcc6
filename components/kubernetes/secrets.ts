import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Secret, SecretArgs } from "../api/secrets.js";
import { type Transform, transformed } from "../api/transform.js";
import type { KubernetesContext } from "./context.js";

/** The key the value is stored under; containers read it by `secretKeyRef` { name, key }. */
export const SECRET_KEY = "value";

export interface KubernetesSecretArgs extends SecretArgs {
  readonly context: KubernetesContext;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: { readonly secret?: Transform<k8s.core.v1.SecretArgs> };
}

/**
 * A Kubernetes Secret in the stack's namespace. `id` is its name and `version` the key that
 * holds the value: a Secret has no versions, and a changed value rolls the Deployments that
 * read it because Pulumi replaces their pod template's checksum annotation.
 */
export class KubernetesSecret extends pulumi.ComponentResource implements Secret {
  readonly id: pulumi.Output<string>;
  readonly version: pulumi.Output<string>;

  constructor(name: string, args: KubernetesSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:kubernetes:Secret", name, {}, opts);
    const secret = new k8s.core.v1.Secret(
      ...transformed(
        args.transform?.secret,
        `${name}-secret`,
        {
          metadata: args.context.meta(name, {}, { "taskflow.dev/description": args.description }),
          type: "Opaque",
          stringData: { [SECRET_KEY]: pulumi.secret(args.value) },
        },
        { parent: this, dependsOn: args.context.dependsOnNamespace },
      ),
    );
    this.id = secret.metadata.name;
    this.version = pulumi.output(SECRET_KEY);
    this.registerOutputs({ id: this.id });
  }
}
