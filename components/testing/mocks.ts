import type * as pulumi from "@pulumi/pulumi";
import { callAzure, computedAzure } from "./azure-mocks.js";
import { privateKey, randomPassword } from "./generated.js";

/** One custom resource the program registered, with the inputs the provider would have received. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly state: Record<string, unknown>;
  readonly id: string;
}

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_PROJECT = "taskflow-test";
export const MOCK_PROJECT_NUMBER = "987654321098";
/** What @pulumi/tls certificates resolve to under mocks (the Kubernetes stack's own CA and server certificates). */
export const MOCK_CERT = "-----BEGIN CERTIFICATE-----\nTU9DSyBDRVJU\n-----END CERTIFICATE-----\n";

type Inputs = Record<string, unknown>;
const str = (value: unknown, fallback: string) => (typeof value === "string" && value.length > 0 ? value : fallback);

/**
 * Outputs the cloud would compute on create, shaped like the real ones (ARNs, URLs, ids) so
 * that everything derived from them (policies, env values, URLs) can be checked.
 */
function computed(type: string, name: string, inputs: Inputs, account: string): Inputs {
  const [pkg, module] = type.split(":");
  const physical = str(inputs.name, name);
  if (pkg === "aws") {
    const region = "eu-west-1";
    const service = (module ?? "").split("/")[0] ?? "";
    const arn = `arn:aws:${service}:${region}:${account}:${physical}`;
    switch (type) {
      case "aws:sqs/queue:Queue":
        return { arn, url: `https://sqs.${region}.amazonaws.com/${account}/${physical}` };
      case "aws:secretsmanager/secret:Secret":
        return { arn: `arn:aws:secretsmanager:${region}:${account}:secret:${str(inputs.namePrefix, name)}AbCdEf` };
      case "aws:secretsmanager/secretVersion:SecretVersion":
        return { versionId: `${name}-v1` };
      case "aws:lb/loadBalancer:LoadBalancer":
        return { arn, dnsName: `${physical}-1234.${region}.elb.amazonaws.com` };
      case "aws:rds/instance:Instance":
        return { arn, address: `${physical}.abc.${region}.rds.amazonaws.com`, port: 5432 };
      case "aws:elasticache/replicationGroup:ReplicationGroup":
        return { arn, primaryEndpointAddress: `master.${physical}.abc.euw1.cache.amazonaws.com` };
      case "aws:ecr/repository:Repository":
        return { arn, repositoryUrl: `${account}.dkr.ecr.${region}.amazonaws.com/${name}` };
      case "aws:iam/role:Role":
        return { arn: `arn:aws:iam::${account}:role/${physical}` };
      case "aws:s3/bucket:Bucket": {
        // A bucketPrefix gets a 26-character unique suffix; bucket ARNs carry no region or account.
        const bucket = str(inputs.bucket, `${str(inputs.bucketPrefix, name)}20261207000000000000000001`);
        return { bucket, arn: `arn:aws:s3:::${bucket}` };
      }
      default:
        return { arn, name: physical };
    }
  }
  if (pkg === "gcp") {
    const project = str(inputs.project, MOCK_PROJECT);
    switch (type) {
      case "gcp:pubsub/topic:Topic":
        return { id: `projects/${project}/topics/${physical}` };
      case "gcp:pubsub/subscription:Subscription":
        return { id: `projects/${project}/subscriptions/${physical}` };
      case "gcp:secretmanager/secret:Secret":
        return { id: `projects/${project}/secrets/${str(inputs.secretId, name)}` };
      case "gcp:secretmanager/secretVersion:SecretVersion":
        return { version: "1" };
      case "gcp:serviceaccount/account:Account":
        return { email: `${str(inputs.accountId, name)}@${project}.iam.gserviceaccount.com` };
      case "gcp:cloudrunv2/service:Service":
        return { uri: `https://${physical}-x7y8z9-ew.a.run.app` };
      case "gcp:sql/databaseInstance:DatabaseInstance":
        return {
          privateIpAddress: "10.1.0.3",
          serverCaCerts: [{ cert: "-----BEGIN CERTIFICATE-----\nMOCK SQL CA\n-----END CERTIFICATE-----\n" }],
        };
      case "gcp:redis/instance:Instance":
        return {
          host: "10.1.0.4",
          port: 6378,
          // Memorystore generates the AUTH string itself; 36 characters like its own.
          authString: randomPassword({ length: 36, special: false }),
          serverCaCerts: [{ cert: "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n" }],
        };
      case "gcp:compute/network:Network":
        return { id: `projects/${project}/global/networks/${name}` };
      case "gcp:compute/subnetwork:Subnetwork":
        return { id: `projects/${project}/regions/europe-west1/subnetworks/${name}` };
      case "gcp:logging/projectBucketConfig:ProjectBucketConfig":
        return { id: `projects/${project}/locations/global/buckets/${str(inputs.bucketId, name)}` };
      default:
        return { name: physical };
    }
  }
  if (pkg === "azure-native") return computedAzure(type, name, inputs);
  if (type === "random:index/randomPassword:RandomPassword") return { result: randomPassword(inputs) };
  if (type === "tls:index/privateKey:PrivateKey") return privateKey(inputs);
  // The suffix Azure names get to be globally unique: not a secret, so a fixed value keeps names readable.
  if (type === "random:index/randomString:RandomString") return { result: "x7k2q9" };
  if (type === "tls:index/selfSignedCert:SelfSignedCert" || type === "tls:index/locallySignedCert:LocallySignedCert")
    return { certPem: MOCK_CERT };
  if (type === "tls:index/certRequest:CertRequest")
    return { certRequestPem: "-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n" };
  return {};
}

/** Pulumi's wire marker for a secret value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Inputs as plain data: secret values arrive wrapped on the wire and are unwrapped here. */
function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (SECRET_SIG in record && "value" in record) return unwrap(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrap(v)]));
}

export interface MockOptions {
  /**
   * The AWS account id in every ARN and queue URL. The deploy rehearsal sets the one its SNS/SQS
   * emulator serves, so the graph's ARNs are ones the emulator knows. @default MOCK_ACCOUNT
   */
  readonly awsAccount?: string;
}

/** Pulumi mocks that record every custom resource; `resources` fills as the program runs. */
export function recordingMocks(options: MockOptions = {}): {
  mocks: pulumi.runtime.Mocks;
  resources: RecordedResource[];
} {
  const account = options.awsAccount ?? MOCK_ACCOUNT;
  const resources: RecordedResource[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const inputs = unwrap(args.inputs ?? {}) as Inputs;
      const extra = computed(args.type, args.name, inputs, account);
      const id = str(extra.id, `${args.name}-id`);
      const state = { ...inputs, ...extra };
      if (args.custom !== false) resources.push({ type: args.type, name: args.name, inputs, state, id });
      return { id, state };
    },
    call(args) {
      if (args.token === "gcp:organizations/getProject:getProject") {
        return { number: MOCK_PROJECT_NUMBER, projectId: str((args.inputs as Inputs).projectId, MOCK_PROJECT) };
      }
      if (args.token === "aws:elb/getServiceAccount:getServiceAccount") {
        // The provider's table of ELB accounts; the stacks under test run in eu-west-1.
        const region = str((args.inputs as Inputs).region, "eu-west-1");
        if (region !== "eu-west-1") throw new Error(`[taskflow] [mocks] no ELB account recorded for ${region}`);
        return { id: "156460612806", arn: "arn:aws:iam::156460612806:root", region };
      }
      if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
        return {
          accountId: account,
          arn: `arn:aws:iam::${account}:user/test`,
          userId: "AIDATEST",
          id: account,
        };
      }
      const azure = callAzure(args.token, args.inputs as Inputs);
      if (azure) return azure;
      throw new Error(`[taskflow] [mocks] no mock for the call ${args.token}`);
    },
  };
  return { mocks, resources };
}
