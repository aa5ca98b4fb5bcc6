import type * as pulumi from "@pulumi/pulumi";

/**
 * The one override hook each child resource offers (`transform: { queue: ... }`): either
 * properties merged over the component's choice, or a function that edits the arguments and
 * options in place. Cloud-specific settings stay reachable without the shared arguments
 * growing a pass-through bag.
 */
export type Transform<Args> = Partial<Args> | ((args: Args, opts: pulumi.CustomResourceOptions, name: string) => void);

/** Applies `transform` to a child's name, arguments and options before it is created. */
export function transformed<Args extends object>(
  transform: Transform<Args> | undefined,
  name: string,
  args: Args,
  opts: pulumi.CustomResourceOptions,
): [string, Args, pulumi.CustomResourceOptions] {
  if (transform === undefined) return [name, args, opts];
  if (typeof transform === "function") {
    transform(args, opts, name);
    return [name, args, opts];
  }
  return [name, { ...args, ...transform }, opts];
}
