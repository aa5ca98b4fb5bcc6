import * as monitor from "@pulumi/azure-native/monitor/index.js";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../api/defaults.js";
import type { Logs, LogsArgs } from "../api/logs.js";
import { type Transform, transformed } from "../api/transform.js";
import type { AzurePlacement } from "./placement.js";

/** A resource whose own log category the workspace collects through a diagnostic setting. */
export interface AzureLogSource {
  readonly name: string;
  readonly resourceUri: pulumi.Input<string>;
  readonly category: string;
}

export interface AzureLogsArgs extends LogsArgs {
  readonly placement: AzurePlacement;
  /**
   * Resource logs to collect too, such as the database server's PostgreSQLLogs.
   * @default none
   */
  readonly sources?: readonly AzureLogSource[];
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
 * per service), so each service's destination is the workspace. Resource logs named in
 * `sources` (the PostgreSQL server's log, with its connection lines) reach it through a
 * diagnostic setting, so they are kept as long as the apps' logs and outlive the server.
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
    for (const source of args.sources ?? [])
      new monitor.DiagnosticSetting(
        `${name}-${source.name}-diagnostics`,
        {
          name: `${name}-${source.name}`.slice(0, 60),
          resourceUri: source.resourceUri,
          workspaceId: this.workspace.id,
          logs: [{ category: source.category, enabled: true }],
        },
        { parent: this },
      );
    for (const service of args.services) this.destinations[service] = this.workspace.id;
    this.registerOutputs({ destinations: this.destinations });
  }
}
