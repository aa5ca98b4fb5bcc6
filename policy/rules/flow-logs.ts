import type { Rule } from "../rule.js";
import { at, label, ofType } from "../rule.js";
import { AWS, AZURE, GCP } from "./types.js";

/** Every network records its flows: a VPC flow log (all traffic) on AWS, subnet flow logs on GCP. */
export const flowLogs: Rule = {
  name: "network-flow-logs",
  description: "Every network has flow logs on.",
  severity: "medium",
  enforcementLevel: "mandatory",
  types: { aws: [AWS.vpc, AWS.flowLog], gcp: [GCP.subnetwork], azure: [AZURE.vnet, AZURE.flowLog] },
  notCheckable: {
    kubernetes:
      "Flow logs are a feature of the cluster's network plugin or its cloud's VPC, neither of which the stack creates.",
  },
  remediationSteps:
    "Add an aws.ec2.FlowLog (trafficType ALL) for each VPC; set logConfig on each GCP subnetwork; add a network.FlowLog (VNet flow log) targeting each Azure VNet.",
  validateStack: ({ resources }, report) => {
    const logs = ofType(resources, AWS.flowLog);
    for (const vpc of ofType(resources, AWS.vpc)) {
      // A VPC's id is not among its outputs; a flow log refers to it through vpcId, which the engine
      // records as a dependency on the VPC.
      const covered = logs.some(
        (log) =>
          (log.props.trafficType ?? "ALL") === "ALL" &&
          (log.propertyDependencies.vpcId?.some((d) => d.urn === vpc.urn) || log.props.vpcId === vpc.props.id),
      );
      if (!covered) report(`${label(vpc)} has no flow log of all traffic`, vpc.urn);
    }
    const vnetLogs = ofType(resources, AZURE.flowLog).filter((log) => log.props.enabled !== false);
    for (const vnet of ofType(resources, AZURE.vnet)) {
      const id = String(vnet.props.id).toLowerCase();
      if (!vnetLogs.some((log) => String(log.props.targetResourceId).toLowerCase() === id))
        report(`${label(vnet)} has no enabled VNet flow log`, vnet.urn);
    }
    for (const subnet of ofType(resources, GCP.subnetwork)) {
      const config = at(subnet.props, "logConfig");
      if (!config || at(config, "enable") === false) report(`${label(subnet)} has flow logs off`, subnet.urn);
    }
  },
};
