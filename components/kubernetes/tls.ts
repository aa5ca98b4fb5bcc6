import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { KubernetesContext } from "./context.js";

/** A year: certificates are re-issued by `pulumi up` once `earlyRenewalHours` is reached. */
const VALIDITY_HOURS = 24 * 365;
const RENEW_HOURS = 24 * 30;

/**
 * The stack's own certificate authority for in-cluster TLS (PostgreSQL, Redis, Kafka,
 * RabbitMQ). The operators could each generate a CA, but that CA exists only once the operator
 * has run, so the stack could not hand it to the services (DATABASE_TLS_CA, CACHE_TLS_CA) nor
 * write it into plain manifests. Created once per stack, on first use.
 */
export class StackAuthority {
  readonly certificatePem: pulumi.Output<string>;
  private readonly key: tls.PrivateKey;
  private readonly cert: tls.SelfSignedCert;

  constructor(
    name: string,
    private readonly context: KubernetesContext,
    parent: pulumi.Resource,
  ) {
    this.key = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
    this.cert = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: this.key.privateKeyPem,
        isCaCertificate: true,
        subject: { commonName: `${name} in-cluster CA`, organization: "taskflow" },
        validityPeriodHours: VALIDITY_HOURS * 5,
        allowedUses: ["cert_signing", "crl_signing"],
      },
      { parent },
    );
    this.certificatePem = this.cert.certPem;
  }

  /**
   * A server certificate for `dnsNames`, signed by this CA, stored as a `kubernetes.io/tls`
   * Secret (tls.crt, tls.key, ca.crt) in the namespace.
   */
  serverSecret(name: string, secretName: string, dnsNames: pulumi.Input<string>[], parent: pulumi.Resource) {
    const key = new tls.PrivateKey(`${name}-tls-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
    const request = new tls.CertRequest(
      `${name}-tls-csr`,
      { privateKeyPem: key.privateKeyPem, dnsNames, subject: { commonName: dnsNames[0] } },
      { parent },
    );
    const cert = new tls.LocallySignedCert(
      `${name}-tls-cert`,
      {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: this.key.privateKeyPem,
        caCertPem: this.cert.certPem,
        validityPeriodHours: VALIDITY_HOURS,
        earlyRenewalHours: RENEW_HOURS,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
      },
      { parent },
    );
    return new k8s.core.v1.Secret(
      `${name}-tls`,
      {
        metadata: this.context.meta(secretName),
        type: "kubernetes.io/tls",
        stringData: {
          "tls.crt": cert.certPem,
          "tls.key": pulumi.secret(key.privateKeyPem),
          "ca.crt": this.cert.certPem,
        },
      },
      { parent, dependsOn: this.context.dependsOnNamespace },
    );
  }

  /** In-cluster DNS names of a Service, short to fully qualified. */
  static serviceNames(service: string, namespace: string): string[] {
    return [
      service,
      `${service}.${namespace}`,
      `${service}.${namespace}.svc`,
      `${service}.${namespace}.svc.cluster.local`,
    ];
  }
}
