// The Lambda API's VpcConfig, mapped onto Vajra's named networks: a subnet `subnet-NAME` and a security
// group `sg-NAME` both name the network NAME (its address block and its rules are one thing here), and a
// function joins every network either list names. GetFunction reports the networks it joins in both
// lists, with a VpcId derived from them; an empty VpcConfig sets the function back to the server's
// default network.

import { invalid } from "../../core/errors.js";
import { networkNames, vpcIdFor } from "../../core/networks.js";

/** The `network` value a VpcConfig asks for (null: the server's default), or undefined when absent. */
export function networkFromVpcConfig(vpc: unknown): string | null | undefined {
  if (vpc === undefined || vpc === null) return undefined;
  if (typeof vpc !== "object" || Array.isArray(vpc)) throw invalid("VpcConfig must be an object");
  const v = vpc as Record<string, unknown>;
  const names = new Set<string>();
  for (const [member, prefix] of [
    ["SubnetIds", "subnet-"],
    ["SecurityGroupIds", "sg-"],
  ] as const) {
    const list = v[member] ?? [];
    if (!Array.isArray(list) || !list.every((e) => typeof e === "string"))
      throw invalid(`VpcConfig.${member} must be a list of strings`, { field: `VpcConfig.${member}` });
    for (const id of list) {
      if (!id.startsWith(prefix))
        throw invalid(`VpcConfig.${member} '${id}' must be ${prefix}NAME, naming a Vajra network`, {
          field: `VpcConfig.${member}`,
        });
      names.add(id.slice(prefix.length));
    }
  }
  if (v.Ipv6AllowedForDualStack === true)
    throw invalid("VpcConfig.Ipv6AllowedForDualStack: Vajra networks are IPv4 only", {
      field: "VpcConfig.Ipv6AllowedForDualStack",
    });
  // The engine checks the names exist (NetworkNotFound otherwise).
  return names.size === 0 ? null : [...names].sort().join(",");
}

/** The VpcConfig GetFunction / GetFunctionConfiguration report (absent unless on named networks). */
export function vpcConfigShape(network: string | undefined): Record<string, unknown> | undefined {
  const names = networkNames(network);
  if (names.length === 0) return undefined;
  return {
    SubnetIds: names.map((n) => `subnet-${n}`),
    SecurityGroupIds: names.map((n) => `sg-${n}`),
    VpcId: vpcIdFor(names),
    Ipv6AllowedForDualStack: false,
  };
}
