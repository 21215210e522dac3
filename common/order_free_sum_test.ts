import { equal, notEqual } from "node:assert/strict";
import { orderFreeSum } from "./order_free_sum.ts";

Deno.test("orderFreeSum() gives the same total for every order of the same terms", () => {
  const terms = [0.1, 0.2, 0.3, 1e-9, 0.0035, 0.7];
  // The look-alike that motivates it: plain addition depends on the order.
  notEqual((0.1 + 0.2) + 0.3, (0.3 + 0.2) + 0.1);
  const orders = [terms, [...terms].reverse(), [0.3, 0.7, 1e-9, 0.1, 0.0035, 0.2]];
  for (const order of orders) equal(orderFreeSum(order), orderFreeSum(terms));
  equal(orderFreeSum([]), 0);
  equal(orderFreeSum([2, 3]), 5);
});
