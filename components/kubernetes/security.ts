/**
 * The Pod Security "restricted" profile, written once: non-root, no privilege escalation, every
 * capability dropped, the runtime's default seccomp profile, and a read-only root filesystem
 * (writable paths are emptyDir or PVC mounts).
 */
export function restrictedPod(uid: number) {
  return {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: uid,
      fsGroup: uid,
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
}

export function restrictedContainer() {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
