import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_ISSUER, subjects, type TrustSettings } from "./settings.js";

/**
 * GitHub's OIDC provider in the account and the role deploy.yml assumes with
 * aws-actions/configure-aws-credentials (role-to-assume). The trust policy accepts only tokens
 * for this repository's deploy environments (and pull requests, for preview).
 */
export function awsTrust(name: string, settings: TrustSettings) {
  const provider = new aws.iam.OpenIdConnectProvider(`${name}-github`, {
    url: GITHUB_ISSUER,
    clientIdLists: ["sts.amazonaws.com"],
  });
  const role = new aws.iam.Role(`${name}-deploy`, {
    description: `Assumed by GitHub Actions in ${settings.repository} to deploy TaskFlow`,
    maxSessionDuration: 3600,
    assumeRolePolicy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: provider.arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            "ForAnyValue:StringEquals": { "token.actions.githubusercontent.com:sub": subjects(settings) },
          },
        },
      ],
    }),
  });
  // Deploying creates IAM roles, VPCs and data services, so the role needs broad rights: keep
  // it in an account that holds only TaskFlow.
  new aws.iam.RolePolicyAttachment(`${name}-deploy-power-user`, {
    role: role.name,
    policyArn: "arn:aws:iam::aws:policy/PowerUserAccess",
  });
  new aws.iam.RolePolicyAttachment(`${name}-deploy-iam`, {
    role: role.name,
    policyArn: "arn:aws:iam::aws:policy/IAMFullAccess",
  });
  return { roleArn: role.arn };
}
