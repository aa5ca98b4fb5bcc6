/** Who may deploy: the repository and the GitHub environments whose jobs get cloud credentials. */
export interface TrustSettings {
  /** owner/name of the GitHub repository. */
  readonly repository: string;
  /** GitHub environments allowed to deploy (deploy.yml uses staging and production). */
  readonly environments: readonly string[];
  /** Also trust pull-request jobs, read-only, for `pulumi preview`. */
  readonly pullRequests: boolean;
}

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/** The `sub` claims GitHub puts in a job's OIDC token for each allowed context. */
export function subjects(settings: TrustSettings): string[] {
  if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(settings.repository))
    throw new Error(
      `[taskflow] [bootstrap] repository "${settings.repository}" is not owner/name; set it with \`pulumi config set repository <owner/name>\``,
    );
  if (settings.environments.length === 0)
    throw new Error("[taskflow] [bootstrap] environments is empty; name at least one GitHub environment");
  const subs = settings.environments.map((env) => `repo:${settings.repository}:environment:${env}`);
  return settings.pullRequests ? [...subs, `repo:${settings.repository}:pull_request`] : subs;
}
