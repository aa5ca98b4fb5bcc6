import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where the load balancers write their access logs, and what must exist before they may. */
export interface AccessLogBucket {
  readonly bucket: aws.s3.Bucket;
  /** The bucket policy: ELB checks it may write there when access logging is switched on. */
  readonly writable: pulumi.Resource;
}

/**
 * A private S3 bucket for the load balancers' access logs: encrypted (SSE-S3, the only
 * encryption ELB log delivery supports), public access blocked, TLS-only access, and logs
 * expired after `retentionDays`. ELB writes as its regional account (regions opened before
 * August 2022) or as the log delivery service (later ones); the policy admits both, only under
 * `AWSLogs/` and only for this account.
 */
export function createAccessLogBucket(
  name: string,
  region: string,
  retentionDays: number,
  parent: pulumi.Resource,
): AccessLogBucket {
  const opts = { parent };
  const bucket = new aws.s3.Bucket(`${name}-access-logs`, { bucketPrefix: `${name}-lb-logs-`.slice(0, 37) }, opts);
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-access-logs`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );
  const blocked = new aws.s3.BucketPublicAccessBlock(
    `${name}-access-logs`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-access-logs`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: { prefix: "" },
          expiration: { days: retentionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    opts,
  );
  const elbAccount = aws.elb.getServiceAccountOutput({ region }, opts);
  const account = aws.getCallerIdentityOutput({}, opts);
  const writable = new aws.s3.BucketPolicy(
    `${name}-access-logs`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ElbLogDelivery",
            Effect: "Allow",
            Principal: { AWS: elbAccount.arn, Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucket.arn}/*/AWSLogs/${account.accountId}/*`,
          },
          {
            Sid: "TlsOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    // S3 refuses a policy change while the public access block is being written.
    { parent, dependsOn: [blocked] },
  );
  return { bucket, writable };
}
