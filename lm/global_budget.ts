/**
 * The run-level budget: caps calls, tokens and dollars across all model objects.
 *
 * @module
 */

import { BudgetExceededError } from "./errors.ts";

/** Caps of a run; an absent cap is unlimited. */
export interface GlobalBudgetOptions {
  /** Most model calls (`prompt`/`batchPrompt`) in the run. */
  maxCalls?: number;
  /** Most tokens (prompt + completion) in the run. */
  maxTokens?: number;
  /** Most dollars in the run (the `--max-cost` cap). */
  maxCostUsd?: number;
}

/** What a call may use at worst, reserved before it is sent. */
export interface BudgetClaim {
  /** Calls (usually 1). */
  calls: number;
  /** Worst-case tokens. */
  tokens: number;
  /** Worst-case dollars; `null` when the model is unpriced. */
  usd: number | null;
}

/** A claim held until the call settles. */
export interface Reservation {
  /** What was claimed. */
  readonly claim: BudgetClaim;
}

/** Use so far. */
export interface BudgetUse {
  /** Calls. */
  calls: number;
  /** Tokens. */
  tokens: number;
  /** Dollars. */
  usd: number;
}

/**
 * A run's global budget. Each call reserves its worst case before it is sent and is refused
 * (with nothing sent and nothing spent) when the reservation could overshoot a cap; when the
 * call ends, the reservation is replaced by what it really used.
 *
 * @example
 * ```ts
 * import { GlobalBudget } from "./global_budget.ts";
 * import { equal, throws } from "node:assert/strict";
 * const budget = new GlobalBudget({ maxCalls: 1 });
 * const held = budget.reserve({ calls: 1, tokens: 10, usd: 0 });
 * throws(() => budget.reserve({ calls: 1, tokens: 10, usd: 0 }));
 * budget.settle(held, { tokens: 4, usd: 0 });
 * equal(budget.used.calls, 1);
 * ```
 */
export class GlobalBudget {
  readonly #caps: GlobalBudgetOptions;
  #used: BudgetUse = { calls: 0, tokens: 0, usd: 0 };
  #held: BudgetUse = { calls: 0, tokens: 0, usd: 0 };
  #open = new Set<Reservation>();

  /**
   * Creates a budget.
   *
   * @param options The caps.
   * @throws {RangeError} When a cap is negative or not a number.
   */
  constructor(options: GlobalBudgetOptions = {}) {
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined && (typeof value !== "number" || !(value >= 0))) {
        throw new RangeError(
          `Cannot create a global budget as '${name}' must be >= 0: current value is ${value}`,
        );
      }
    }
    this.#caps = { ...options };
  }

  /** The caps. */
  get caps(): Readonly<GlobalBudgetOptions> {
    return this.#caps;
  }

  /** What settled calls used. */
  get used(): Readonly<BudgetUse> {
    return { ...this.#used };
  }

  /** What calls in flight hold. */
  get held(): Readonly<BudgetUse> {
    return { ...this.#held };
  }

  /**
   * Reserves a call's worst case.
   *
   * @param claim The worst case.
   * @returns The reservation, to settle when the call ends.
   * @throws {BudgetExceededError} When the worst case could overshoot a cap.
   */
  reserve(claim: BudgetClaim): Reservation {
    const { maxCalls, maxTokens, maxCostUsd } = this.#caps;
    if (maxCalls !== undefined && this.#used.calls + this.#held.calls + claim.calls > maxCalls) {
      throw new BudgetExceededError(
        `Refused a model call as the run's call budget (${maxCalls}) is used up`,
        { scope: "run", resource: "calls" },
      );
    }
    if (
      maxTokens !== undefined && this.#used.tokens + this.#held.tokens + claim.tokens > maxTokens
    ) {
      throw new BudgetExceededError(
        `Refused a model call as its worst case (${claim.tokens} tokens) could overshoot the run's token cap (${maxTokens}; ${this.#used.tokens} used, ${this.#held.tokens} in flight)`,
        { scope: "run", resource: "tokens" },
      );
    }
    if (maxCostUsd !== undefined) {
      if (claim.usd === null) {
        throw new BudgetExceededError(
          "Refused a model call as the model has no price and a cost cap is set: add its price to the price table",
          { scope: "run", resource: "dollars" },
        );
      }
      if (this.#used.usd + this.#held.usd + claim.usd > maxCostUsd) {
        throw new BudgetExceededError(
          `Refused a model call as its worst case ($${
            claim.usd.toFixed(4)
          }) could overshoot the cost cap ($${maxCostUsd}; $${this.#used.usd.toFixed(4)} spent, $${
            this.#held.usd.toFixed(4)
          } in flight)`,
          { scope: "run", resource: "dollars" },
        );
      }
    }
    const reservation: Reservation = { claim: { ...claim } };
    this.#held.calls += claim.calls;
    this.#held.tokens += claim.tokens;
    this.#held.usd += claim.usd ?? 0;
    this.#open.add(reservation);
    return reservation;
  }

  /**
   * Replaces a reservation by what the call really used (settling twice does nothing).
   *
   * @param reservation The reservation.
   * @param actual Tokens and dollars used (0 for a failed call).
   */
  settle(reservation: Reservation, actual: { tokens: number; usd: number | null }): void {
    if (!this.#open.delete(reservation)) return;
    const { claim } = reservation;
    this.#held.calls -= claim.calls;
    this.#held.tokens -= claim.tokens;
    this.#held.usd -= claim.usd ?? 0;
    this.#used.calls += claim.calls;
    this.#used.tokens += actual.tokens;
    this.#used.usd += actual.usd ?? 0;
  }

  /**
   * Drops a reservation without counting anything (the call was refused later on).
   *
   * @param reservation The reservation.
   */
  release(reservation: Reservation): void {
    if (!this.#open.delete(reservation)) return;
    this.#held.calls -= reservation.claim.calls;
    this.#held.tokens -= reservation.claim.tokens;
    this.#held.usd -= reservation.claim.usd ?? 0;
  }
}
