import * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../api/defaults.js";
import type { Logs, LogsArgs } from "../api/logs.js";
import { type Transform, transformed } from "../api/transform.js";
import type { AzurePlacement } from "./placement.js";

export interface AzureLogsArgs extends LogsArgs {
  readonly placement: AzurePlacement;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly workspace?: Transform<operationalinsights.WorkspaceArgs>;
  };
}

/** What a PerGB2018 workspace accepts as its retention. */
export const RETENTION_DAYS = { min: 30, max: 730 } as const;

/**
 * A Log Analytics workspace with the declared retention. The Container Apps environment sends
 * every app's console output there (table ContainerAppConsoleLogs_CL, one ContainerAppName_s
 * per service), so each service's destination is the workspace.
 */
export class AzureLogs extends pulumi.ComponentResource implements Logs {
  readonly destinations: Record<string, pulumi.Output<string>> = {};
  readonly workspace: operationalinsights.Workspace;

  constructor(name: string, args: AzureLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:azure:Logs", name, {}, opts);
    const { placement } = args;
    const retentionDays = args.retentionDays ?? DEFAULTS.logRetentionDays;
    if (!Number.isInteger(retentionDays) || retentionDays < RETENTION_DAYS.min || retentionDays > RETENTION_DAYS.max) {
      throw new Error(
        `[taskflow] [azure] logs "${name}": Log Analytics keeps logs ${RETENTION_DAYS.min} to ${RETENTION_DAYS.max} days, not ${retentionDays}; set taskflow:logRetentionDays within that range`,
      );
    }
    this.workspace = new operationalinsights.Workspace(
      ...transformed(
        args.transform?.workspace,
        `${name}-workspace`,
        {
          workspaceName: `${name}-workspace`,
          resourceGroupName: placement.resourceGroupName,
          location: placement.location,
          sku: { name: "PerGB2018" },
          retentionInDays: retentionDays,
        },
        { parent: this },
      ),
    );
    for (const service of args.services) this.destinations[service] = this.workspace.id;
    this.registerOutputs({ destinations: this.destinations });
  }
}
