/**
 * Targets that ship a stack file but that the policy pack and the price tables do not cover
 * yet, each with the reason. The coverage, stack and cost tests skip such a target by name, so
 * the gap shows in every run instead of passing with nothing checked; any other target that
 * ships a stack file must be covered.
 */
export const NOT_YET_COVERED: Readonly<Record<string, string>> = {};
