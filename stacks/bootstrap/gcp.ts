import * as gcp from "@pulumi/gcp";
import { GITHUB_ISSUER, subjects, type TrustSettings } from "./settings.js";

/** APIs the stacks use, plus Container Scanning, which the policy pack's registry rule relies on. */
export const GCP_APIS = [
  "run.googleapis.com",
  "sqladmin.googleapis.com",
  "redis.googleapis.com",
  "pubsub.googleapis.com",
  "secretmanager.googleapis.com",
  "artifactregistry.googleapis.com",
  "containerscanning.googleapis.com",
  "servicenetworking.googleapis.com",
  "compute.googleapis.com",
  "logging.googleapis.com",
  "iamcredentials.googleapis.com",
];

/**
 * A workload identity pool with GitHub as its provider, and the service account deploy.yml
 * impersonates through google-github-actions/auth. Only tokens from this repository pass the
 * provider's condition; only the allowed subjects may impersonate the account.
 */
export function gcpTrust(name: string, project: string, projectNumber: string, settings: TrustSettings) {
  for (const api of GCP_APIS)
    new gcp.projects.Service(`${name}-${api.split(".")[0]}`, { project, service: api, disableOnDestroy: false });
  const pool = new gcp.iam.WorkloadIdentityPool(`${name}-pool`, {
    project,
    workloadIdentityPoolId: `${name}-github`.slice(0, 32),
    displayName: "GitHub Actions",
  });
  const provider = new gcp.iam.WorkloadIdentityPoolProvider(`${name}-provider`, {
    project,
    workloadIdentityPoolId: pool.workloadIdentityPoolId,
    workloadIdentityPoolProviderId: "github",
    oidc: { issuerUri: GITHUB_ISSUER },
    attributeMapping: { "google.subject": "assertion.sub", "attribute.repository": "assertion.repository" },
    attributeCondition: `assertion.repository == "${settings.repository}"`,
  });
  const account = new gcp.serviceaccount.Account(`${name}-deploy`, {
    project,
    accountId: `${name}-deploy`.slice(0, 30),
    displayName: `Deploys TaskFlow from ${settings.repository}`,
  });
  for (const [i, subject] of subjects(settings).entries())
    new gcp.serviceaccount.IAMMember(`${name}-impersonate-${i}`, {
      serviceAccountId: account.name,
      role: "roles/iam.workloadIdentityUser",
      member: pool.workloadIdentityPoolId.apply(
        (pool) =>
          `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}/subject/${subject}`,
      ),
    });
  // The deploy creates service accounts, IAM bindings and every data service: owner of a
  // project that holds only TaskFlow.
  new gcp.projects.IAMMember(`${name}-deploy-owner`, { project, role: "roles/owner", member: account.member });
  return { workloadIdentityProvider: provider.name, serviceAccount: account.email };
}
