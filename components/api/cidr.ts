/**
 * IPv4 CIDR arithmetic for laying out subnets: the network components split one VPC range into
 * equal blocks (public and private per zone on AWS, the service subnet on GCP).
 */

export interface Cidr {
  readonly address: number;
  readonly prefix: number;
}

export function parseCidr(text: string): Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!match) throw new Error(`[taskflow] [cidr] "${text}" is not an IPv4 CIDR block such as 10.0.0.0/16`);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) {
    throw new Error(`[taskflow] [cidr] "${text}" has an octet over 255 or a prefix over 32`);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (address % 2 ** (32 - prefix) !== 0) {
    throw new Error(
      `[taskflow] [cidr] "${text}" has host bits set; did you mean ${formatCidr(network(address, prefix))}?`,
    );
  }
  return { address, prefix };
}

function network(address: number, prefix: number): Cidr {
  const size = 2 ** (32 - prefix);
  return { address: Math.floor(address / size) * size, prefix };
}

export function formatCidr(cidr: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.address / 2 ** shift) % 256);
  return `${octets.join(".")}/${cidr.prefix}`;
}

/**
 * The first `count` blocks of size `/newPrefix` inside `cidr`, in address order. Throws when
 * they do not fit, naming how many would.
 */
export function splitCidr(cidr: string, newPrefix: number, count: number): string[] {
  const parent = parseCidr(cidr);
  if (!Number.isInteger(newPrefix) || newPrefix < parent.prefix || newPrefix > 28) {
    throw new Error(
      `[taskflow] [cidr] cannot cut /${newPrefix} blocks from ${cidr}: use a prefix from /${parent.prefix} to /28`,
    );
  }
  const available = 2 ** (newPrefix - parent.prefix);
  if (count > available) {
    throw new Error(`[taskflow] [cidr] ${cidr} holds ${available} blocks of /${newPrefix}, not ${count}`);
  }
  const size = 2 ** (32 - newPrefix);
  return Array.from({ length: count }, (_, i) => formatCidr({ address: parent.address + i * size, prefix: newPrefix }));
}

/** True when the two blocks share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  const xEnd = x.address + 2 ** (32 - x.prefix);
  const yEnd = y.address + 2 ** (32 - y.prefix);
  return x.address < yEnd && y.address < xEnd;
}
