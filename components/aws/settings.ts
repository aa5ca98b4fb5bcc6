import type { ConfigReader, SharedSettings, TargetSettings } from "../api/platform.js";

/** Where AWS resources go: the region every component is created in. */
export interface AwsPlacement {
  /** `aws:region`, the AWS provider's own setting. */
  readonly region: string;
}

/** The settings only AWS has, read from stack config. */
export interface AwsSettings extends AwsPlacement {
  /**
   * `taskflow:certificateArn`: the ACM certificate (in the stack's region) the public load
   * balancer serves for `taskflow:domain`. Without it the gateway answers over HTTP.
   */
  readonly certificateArn?: string;
  /**
   * `taskflow:allowPlainHttp`: without a certificate, the gateway may answer plain HTTP on the
   * load balancer's DNS name (a development stack); otherwise the stack refuses to build.
   */
  readonly allowPlainHttp?: boolean;
}

export const AWS_OWN_KEYS = ["certificateArn", "allowPlainHttp"] as const;

export function readAwsSettings(read: ConfigReader, shared: SharedSettings): TargetSettings<AwsSettings> {
  const problems: string[] = [];
  const region = read("aws", "region");
  if (!region) problems.push("aws:region (unset): is required; set it with `pulumi config set aws:region <region>`");
  const certificateArn = read("taskflow", "certificateArn");
  if (certificateArn !== undefined && !certificateArn.startsWith("arn:aws:acm:")) {
    problems.push(
      `taskflow:certificateArn ("${certificateArn}"): must be an ACM certificate ARN; set it with \`pulumi config set taskflow:certificateArn <value>\``,
    );
  }
  if (certificateArn !== undefined && !shared.domain) {
    problems.push("taskflow:certificateArn: is set without taskflow:domain; set the domain the certificate is for");
  }
  const plainHttp = read("taskflow", "allowPlainHttp");
  if (plainHttp !== undefined && plainHttp !== "true" && plainHttp !== "false") {
    problems.push(
      `taskflow:allowPlainHttp ("${plainHttp}"): must be true or false; set it with \`pulumi config set taskflow:allowPlainHttp <value>\``,
    );
  }
  if (problems.length > 0 || !region) return { problems };
  return {
    settings: {
      region,
      ...(certificateArn ? { certificateArn } : {}),
      ...(plainHttp === "true" ? { allowPlainHttp: true } : {}),
    },
  };
}
