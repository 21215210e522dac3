/**
 * The offline stand-in: a deterministic, seeded responder that answers like a chat model from
 * a library of hand-written programs. It is not a language model.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { ChatBackend, ChatMessage, ChatRequest, ChatResult } from "../lm/chat_backend.ts";
import { type Random, seededRandom } from "../common/seeded_random.ts";
import { estimatePromptTokens, estimateTokens } from "../lm/token_estimate.ts";
import { CATALOG, catalogFor, readCatalogProgram } from "./catalog.ts";
import type { CatalogEntry, CatalogQuality } from "./catalog_types.ts";
import { recognizeRequest } from "./recognize_request.ts";
import { answerStrategyQuestion } from "./strategy_question.ts";
import { STAND_IN_BANNER, STAND_IN_MODEL } from "../lm/stand_in_name.ts";

const QUALITIES: readonly CatalogQuality[] = ["broken", "weak", "fair", "strong"];

/**
 * The chance of each quality at a temperature `T`: the base chances broken 0.15, weak 0.45,
 * fair 0.30 and strong 0.10 (the chances at `T` = 0.7, the paper's temperature), each raised
 * to the power `0.7 / T` and normalised (`T` is floored at 0.01). Colder sampling concentrates
 * on the likeliest quality, weak (at 0.1: 94% weak, no strong); hotter sampling flattens
 * towards a quarter each, so it gives more broken *and* more strong programs (at 1: 18%
 * broken, 14% strong; at 2: 22% broken, 19% strong).
 *
 * The base chances were chosen by hand, not measured from any model: strong programs are rare
 * at 0.7, so an improver that samples more, hotter, and keeps what scores best by utility
 * finds them more often than a single batch at 0.7 does (`STAND_IN_METHOD` in `stand_in.ts`
 * says so wherever the stand-in's numbers are shown).
 *
 * @param temperature The sampling temperature (the stand-in's default is 1).
 * @returns Probabilities by quality, summing to 1.
 *
 * @example
 * ```ts
 * import { qualityWeights } from "./offline_backend.ts";
 * import { ok } from "node:assert/strict";
 * ok(qualityWeights(1.5).broken > qualityWeights(0.2).broken);
 * ok(qualityWeights(1.5).strong > qualityWeights(0.7).strong);
 * ok(qualityWeights(0.1).weak > 0.9);
 * ```
 */
export function qualityWeights(temperature: number): Record<CatalogQuality, number> {
  const t = Math.max(0.01, temperature);
  const base = [0.15, 0.45, 0.30, 0.10];
  const raw = base.map((p) => p ** (0.7 / t));
  const total = raw.reduce((a, b) => a + b, 0);
  return {
    broken: raw[0]! / total,
    weak: raw[1]! / total,
    fair: raw[2]! / total,
    strong: raw[3]! / total,
  };
}

/**
 * Picks a library entry: a quality by `qualityWeights` (among the qualities present), then an
 * entry of that quality uniformly.
 *
 * @param entries Candidates (non-empty).
 * @param temperature The sampling temperature.
 * @param random Uniform numbers in [0, 1).
 * @returns The entry.
 * @throws {RangeError} When there are no candidates.
 *
 * @example
 * ```ts
 * import { sampleEntry } from "./offline_backend.ts";
 * import { equal } from "node:assert/strict";
 * const entry = { id: "lpn/a", target: "lpn" as const, file: "lpn/a.ts", quality: "weak" as const, idea: "", tags: [] };
 * equal(sampleEntry([entry], 0.7, Math.random), entry);
 * ```
 */
export function sampleEntry(
  entries: readonly CatalogEntry[],
  temperature: number,
  random: Random,
): CatalogEntry {
  if (entries.length === 0) throw new RangeError("Cannot sample from an empty library");
  const weights = qualityWeights(temperature);
  const present = QUALITIES.filter((q) => entries.some((e) => e.quality === q));
  const total = present.reduce((s, q) => s + weights[q], 0);
  let pick = random() * total;
  let quality = present[present.length - 1]!;
  for (const q of present) {
    pick -= weights[q];
    if (pick < 0) {
      quality = q;
      break;
    }
  }
  const pool = entries.filter((e) => e.quality === quality);
  return pool[Math.floor(random() * pool.length)] ?? pool[0]!;
}

/** Options of the stand-in. */
export interface OfflineBackendOptions {
  /** Which stand-in: different seeds answer differently. @default 0 */
  seed?: number;
  /** The library. @default CATALOG */
  catalog?: readonly CatalogEntry[];
  /** Reads an entry's source. @default readCatalogProgram */
  readProgram?: (entry: CatalogEntry) => Promise<string>;
  /** Milliseconds, for latency. @default performance.now */
  clock?: () => number;
}

/**
 * The offline stand-in as a chat backend (model `offline-stand-in`). It recognises whether it
 * is asked for an improver or a task's solution and answers each choice with one idea
 * sentence and one fenced TypeScript program from its library, or a polite text reply when it
 * cannot tell. Choice `i` of a request is a pure function of (stand-in seed, conversation,
 * temperature, request seed + i); without a request seed, the occurrence of the conversation
 * takes its place. Token counts are estimates; the cost is 0.
 *
 * Its program replies ignore the prompt's content: of the conversation it reads only which
 * program is asked for (see `recognizeRequest`) and a hash of it, which only seeds the draw.
 * It never reads the program it is asked to improve, the scores it is shown or any
 * instruction; the program's quality is drawn by {@linkcode qualityWeights}. A strategy
 * question is the one exception: it is answered by counting keywords in the program shown
 * (`strategy_question.ts`).
 *
 * @example
 * ```ts
 * import { OfflineBackend } from "./offline_backend.ts";
 * import { match } from "node:assert/strict";
 * const backend = new OfflineBackend({ catalog: [] });
 * const result = await backend.complete({ messages: [{ role: "user", content: "hi" }], n: 1 });
 * match(result.choices[0]!, /not a language model/);
 * ```
 */
export class OfflineBackend implements ChatBackend {
  /** Always `offline-stand-in`. */
  readonly model = STAND_IN_MODEL;
  /** Always `true`: this is not a language model. */
  readonly standIn = true;
  /** The stand-in's seed. */
  readonly seed: number;
  readonly #catalog: readonly CatalogEntry[];
  readonly #readProgram: (entry: CatalogEntry) => Promise<string>;
  readonly #clock: () => number;
  readonly #occurrences = new Map<string, number>();

  /**
   * Creates the stand-in.
   *
   * @param options Seed, library and clock.
   */
  constructor(options: OfflineBackendOptions = {}) {
    this.seed = options.seed ?? 0;
    this.#catalog = options.catalog ?? CATALOG;
    this.#readProgram = options.readProgram ?? readCatalogProgram;
    this.#clock = options.clock ?? (() => performance.now());
  }

  /**
   * Answers a request.
   *
   * @param request The request (`maxTokens` is ignored).
   * @returns `n` replies with estimated usage.
   */
  async complete(request: ChatRequest): Promise<ChatResult> {
    const started = this.#clock();
    const content = conversationHash(request.messages, request.temperature);
    let base = request.seed;
    if (base === undefined) {
      const occurrence = this.#occurrences.get(content) ?? 0;
      this.#occurrences.set(content, occurrence + 1);
      base = occurrence * 1_000_003;
    }
    const choices: string[] = [];
    for (let i = 0; i < request.n; i++) {
      choices.push(await this.reply(request.messages, request.temperature ?? 1, base + i));
    }
    return {
      choices,
      fates: choices.map(() => ({ finishReason: "stop" as const })),
      usage: {
        promptTokens: estimatePromptTokens(request.messages),
        completionTokens: choices.reduce((s, c) => s + estimateTokens(c), 0),
        estimated: true,
      },
      latencyMs: this.#clock() - started,
      model: STAND_IN_MODEL,
      attempts: 0,
      standIn: true,
    };
  }

  /**
   * One reply: a pure function of the stand-in seed, the conversation, the temperature and
   * the choice seed.
   *
   * @param messages The conversation.
   * @param temperature The temperature.
   * @param choiceSeed The choice's seed.
   * @returns The reply text.
   */
  async reply(
    messages: readonly ChatMessage[],
    temperature: number,
    choiceSeed: number,
  ): Promise<string> {
    const asked = recognizeRequest(messages);
    if (asked.kind === "strategy-question") {
      return answerStrategyQuestion(messages.map((m) => m.content).join("\n"));
    }
    if (asked.kind === "unknown") {
      return `Hello! I am the ${STAND_IN_BANNER}. I could not tell which task this request is ` +
        "about, so I have no program to offer. Ask for a program that exports " +
        "`improveAlgorithm`, or include the task's description (it contains a line like " +
        "`Task: Max-cut (maxcut)`).";
    }
    const entries = catalogFor(asked.target, this.#catalog);
    if (entries.length === 0) {
      return `I am the ${STAND_IN_BANNER}, and my library has no program for '${asked.target}' ` +
        "yet, so I cannot offer an improvement.";
    }
    const random = seededRandom(
      "stop-stand-in",
      this.seed,
      conversationHash(messages, temperature),
      choiceSeed,
    );
    const entry = sampleEntry(entries, temperature, random);
    const source = await this.#readProgram(entry);
    return `${entry.idea}\n\n\`\`\`typescript\n${source.trimEnd()}\n\`\`\`\n`;
  }
}

function conversationHash(
  messages: readonly ChatMessage[],
  temperature: number | undefined,
): string {
  return createHash("sha256")
    .update(JSON.stringify([messages.map((m) => [m.role, m.content]), temperature ?? null]))
    .digest("hex");
}
