/**
 * A sum whose value does not depend on the order of its terms: floating-point addition is not
 * associative, so adding the same costs in the order concurrent calls finished in can change
 * the last digit of a total. The terms are added from the smallest up.
 *
 * @module
 */

/**
 * Adds numbers in a fixed order (ascending), so that any permutation of the same terms gives
 * the same total, to the bit.
 *
 * @param terms The numbers.
 * @returns Their sum; 0 for none.
 * @example
 * ```ts
 * import { orderFreeSum } from "./order_free_sum.ts";
 * if (orderFreeSum([0.1, 0.2, 0.3]) !== orderFreeSum([0.3, 0.2, 0.1])) throw new Error("order");
 * ```
 */
export function orderFreeSum(terms: Iterable<number>): number {
  let total = 0;
  for (const x of [...terms].sort((a, b) => a - b)) total += x;
  return total;
}
