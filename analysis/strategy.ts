/**
 * Classifying an improver program by the search strategy it implements, from the list of
 * strategies the STOP paper saw models propose: beam or tree search, genetic algorithm,
 * simulated annealing, temperature variation, decomposition, bandit, epsilon-greedy, local
 * edits, hints, and everything else ("sample and select", the seed improver's strategy,
 * which also covers plain iterative refinement).
 *
 * The analysis is static and multi-label: each strategy collects weighted evidence from
 * constructs found in the program (identifiers, call shapes, loops, literals), a strategy
 * with enough evidence is one of the program's labels, and the one with the most evidence is
 * its main label.
 *
 * Comments are never evidence. String literals are evidence only for the strategies that
 * live in the prompt itself: hints, decomposition, local edits, and the crossover and
 * mutation requests of a genetic algorithm. A prompt that merely mentions "beam search" or
 * "simulated annealing" is advice about the solution, not what the improver does, so search
 * strategies (beam, annealing, bandit, epsilon-greedy, temperature) are recognised from code
 * alone.
 *
 * @module
 */
import { scanSource } from "./_scan_source.ts";

/** The strategy labels, in the order tables show them; the last one means "none of these". */
export const STRATEGY_LABELS = [
  "beam search",
  "genetic algorithm",
  "simulated annealing",
  "temperature variation",
  "decomposition",
  "bandit",
  "epsilon-greedy",
  "local edits",
  "hints",
  "sample and select",
] as const;

/** One strategy label. */
export type StrategyLabel = typeof STRATEGY_LABELS[number];

/** The catch-all label: sample and select, iterative refinement, anything not recognised. */
export const OTHER_STRATEGY: StrategyLabel = "sample and select";

/** One-line definitions of the labels (shown to a model asked to confirm a label). */
export const STRATEGY_DEFINITIONS: Readonly<Record<StrategyLabel, string>> = {
  "beam search":
    "beam or tree search: keeps several best programs (or a tree of them) and expands each",
  "genetic algorithm": "a population evolved by mutation and crossover of programs",
  "simulated annealing": "accepts worse programs with a probability that falls as it cools",
  "temperature variation":
    "varies or adapts the sampling temperature of its requests (by round, phase or outcome)",
  "decomposition": "splits the program into parts (functions) and improves them separately",
  "bandit": "a multi-armed bandit (e.g. UCB) choosing among prompts or strategies",
  "epsilon-greedy": "usually exploits the best option, explores a random one with probability ε",
  "local edits": "small local changes: single lines, characters or constants",
  "hints": "several prompts at once, each suggesting a different kind of improvement",
  "sample and select":
    "none of the above: samples improvements (possibly in rounds) and keeps the best",
};

/** Ties between equally supported labels go to the more specific structure. */
const PRIORITY: readonly StrategyLabel[] = [
  "bandit",
  "epsilon-greedy",
  "genetic algorithm",
  "simulated annealing",
  "beam search",
  "decomposition",
  "local edits",
  "hints",
  "temperature variation",
];

/** Evidence a label needs to be one of a program's labels. */
export const STRATEGY_THRESHOLD = 3;

/** One piece of evidence: a construct found in the program. */
export interface StrategyEvidence {
  /** The label it supports. */
  label: StrategyLabel;
  /** What matched, e.g. `identifier 'beamWidth'` or `Math.random() < Math.exp(…)`. */
  construct: string;
  /** Where it was found: code, a string literal (prompt text) or a regular expression. */
  where: "code" | "prompt text" | "regex";
  /** How much it counts. */
  weight: number;
}

/** The outcome of {@linkcode analyzeStrategy}. */
export interface StrategyAnalysis {
  /** The label with the most evidence, or {@linkcode OTHER_STRATEGY}. */
  main: StrategyLabel;
  /** Every label with at least {@linkcode STRATEGY_THRESHOLD} evidence, strongest first; never empty. */
  labels: StrategyLabel[];
  /** Evidence per label. */
  scores: Record<StrategyLabel, number>;
  /** What matched, strongest first. */
  evidence: StrategyEvidence[];
}

interface WordRule {
  label: StrategyLabel;
  word: RegExp;
  weight: number;
}

const WORD_RULES: readonly WordRule[] = [
  { label: "beam search", word: /^beams?$/, weight: 3 },
  { label: "beam search", word: /^frontier$/, weight: 2 },
  { label: "beam search", word: /^trees?$/, weight: 2 },
  { label: "beam search", word: /^nodes?$/, weight: 1 },
  { label: "beam search", word: /^expand(s|ed|ing)?$|^expansions?$/, weight: 2 },
  { label: "beam search", word: /^children$/, weight: 1 },
  { label: "genetic algorithm", word: /^crossover$|^cross$/, weight: 3 },
  { label: "genetic algorithm", word: /^mutat(e|es|ed|ion|ions)$/, weight: 2 },
  { label: "genetic algorithm", word: /^genetic$/, weight: 3 },
  { label: "genetic algorithm", word: /^offspring$/, weight: 3 },
  { label: "genetic algorithm", word: /^(parent|parents|mother|father)$/, weight: 1 },
  { label: "genetic algorithm", word: /^tournament$/, weight: 2 },
  { label: "genetic algorithm", word: /^generations?$/, weight: 2 },
  { label: "genetic algorithm", word: /^population$/, weight: 1 },
  { label: "genetic algorithm", word: /^fitness$/, weight: 2 },
  { label: "genetic algorithm", word: /^(evolve|evolution|evolutionary)$/, weight: 2 },
  { label: "genetic algorithm", word: /^(genome|chromosome|genes?)$/, weight: 2 },
  { label: "genetic algorithm", word: /^(breed|breeding)$/, weight: 2 },
  { label: "genetic algorithm", word: /^(child|children)$/, weight: 1 },
  { label: "simulated annealing", word: /^anneal(ing|ed)?$/, weight: 4 },
  { label: "simulated annealing", word: /^cool(ing|s|ed|down)?$/, weight: 2 },
  { label: "temperature variation", word: /^(temperatures|temps)$/, weight: 2 },
  { label: "decomposition", word: /^decompos(e|ed|es|ition)$/, weight: 3 },
  { label: "decomposition", word: /^(subproblems?|subtasks?|components?)$/, weight: 2 },
  { label: "decomposition", word: /^(parts?|pieces?|segments?|sections?)$/, weight: 1 },
  { label: "decomposition", word: /^functions$/, weight: 1 },
  { label: "bandit", word: /^ucb\d*$/, weight: 4 },
  { label: "bandit", word: /^bandits?$/, weight: 4 },
  { label: "bandit", word: /^arms?$/, weight: 2 },
  { label: "bandit", word: /^(pulls?|pulled)$/, weight: 2 },
  { label: "bandit", word: /^(thompson|regret)$/, weight: 2 },
  { label: "bandit", word: /^(wins|losses|successes|failures)$/, weight: 1 },
  { label: "bandit", word: /^rewards?$/, weight: 1 },
  { label: "epsilon-greedy", word: /^(epsilon|eps)$/, weight: 4 },
  { label: "epsilon-greedy", word: /^(explore|exploration|exploit|exploitation)$/, weight: 1 },
  { label: "local edits", word: /^(tweak|tweaks|perturb|perturbation|nudge)$/, weight: 2 },
  { label: "local edits", word: /^(char|chars|character|characters)$/, weight: 2 },
  { label: "local edits", word: /^(edit|edits|edited)$/, weight: 1 },
  { label: "local edits", word: /^lines$/, weight: 1 },
  { label: "hints", word: /^hints?$/, weight: 4 },
  { label: "hints", word: /^(suggestions?|tips|advice)$/, weight: 3 },
  { label: "hints", word: /^(focus|areas|angles|styles|directions|perspectives)$/, weight: 1 },
];

interface PromptRule {
  label: StrategyLabel;
  pattern: RegExp;
  weight: number;
  construct: string;
}

const PROMPT_RULES: readonly PromptRule[] = [
  {
    label: "genetic algorithm",
    pattern:
      /cross (them|these|the two|both)( programs| parents)? over|cross over (these|the|two|both)|\bcrossover:|combine (the best (ideas|parts) of )?(both|these two|the two|two) (parents|programs)|merge (these|the two|both|two) (programs|parents)|child program/i,
    weight: 3,
    construct: "a crossover request (two programs combined by the model)",
  },
  {
    label: "genetic algorithm",
    pattern: /\bmutate (it|this|the program)\b|^mutate\b/im,
    weight: 1,
    construct: "a mutation request",
  },
  {
    label: "decomposition",
    pattern:
      /\b(improve|rewrite|change) only (this|the) (function|part|component)|\bonly (this|the) function\b|one function at a time|\b(decompose|split|break)( this| the)?( program| problem| code)? into\b|\bsubproblems?\b|keep (every|all) other (functions?|parts?)|leave the rest/i,
    weight: 3,
    construct: "a request to improve one part of the program",
  },
  {
    label: "local edits",
    pattern:
      /\b(change|edit|modify|alter) (only )?(a single|one|exactly one) (line|constant|character)|\bsingle line\b|\b(small|tiny|minimal),? (local |precise |targeted )?(edit|change)|character-level|few characters/i,
    weight: 3,
    construct: "a request for a small local edit",
  },
  {
    label: "hints",
    pattern: /(^|\n)\s*hint\b|\bhint:/i,
    weight: 2,
    construct: "a prompt that carries a hint",
  },
  {
    label: "hints",
    pattern: /\b(focus on|concentrate on)\b/i,
    weight: 1,
    construct: "a prompt that names a focus",
  },
];

function splitWords(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** Index just past the bracket that closes the one at `open`, or the text's length. */
function closing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return code.length;
}

/** The top-level, comma-separated arguments of the call whose `(` is at `open`. */
function callArguments(code: string, open: number): string[] {
  const end = closing(code, open) - 1;
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < end; i++) {
    const c = code[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      args.push(code.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = code.slice(start, end).trim();
  if (last !== "") args.push(last);
  return args;
}

/** Source ranges of loop bodies (`for`, `while`, `do`, and callbacks of `forEach`/`map`). */
function loopBodies(code: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const m of code.matchAll(/\b(for|while)\s*\(/g)) {
    const headerEnd = closing(code, m.index + m[0].length - 1);
    const brace = /^\s*\{/.exec(code.slice(headerEnd));
    const bodyStart = brace ? headerEnd + brace[0].length - 1 : headerEnd;
    const bodyEnd = brace ? closing(code, bodyStart) : code.indexOf(";", headerEnd) + 1;
    ranges.push([m.index, bodyEnd > 0 ? bodyEnd : code.length]);
  }
  for (const m of code.matchAll(/\bdo\s*\{/g)) {
    ranges.push([m.index, closing(code, m.index + m[0].length - 1)]);
  }
  return ranges;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

class Collector {
  readonly evidence: StrategyEvidence[] = [];
  add(label: StrategyLabel, construct: string, where: StrategyEvidence["where"], weight: number) {
    this.evidence.push({ label, construct, where, weight });
  }
}

function wordEvidence(code: string, out: Collector): void {
  const examples = new Map<string, string>();
  for (const m of code.matchAll(/[A-Za-z_$][\w$]*/g)) {
    for (const word of splitWords(m[0])) if (!examples.has(word)) examples.set(word, m[0]);
  }
  for (const rule of WORD_RULES) {
    for (const [word, identifier] of examples) {
      if (rule.word.test(word)) {
        out.add(rule.label, `identifier '${identifier}'`, "code", rule.weight);
        break;
      }
    }
  }
}

function promptEvidence(strings: readonly string[], out: Collector): void {
  for (const rule of PROMPT_RULES) {
    const hit = strings.map((s) => rule.pattern.exec(s)).find((m) => m !== null);
    if (hit) {
      out.add(rule.label, `${rule.construct}: '${hit[0].trim()}'`, "prompt text", rule.weight);
    }
  }
}

function regexEvidence(regexes: readonly string[], out: Collector): void {
  const functions = regexes.find((r) => /function/.test(r));
  if (functions !== undefined) {
    out.add(
      "decomposition",
      `a regular expression that finds functions: /${functions.slice(0, 60)}/`,
      "regex",
      3,
    );
  }
  const digits = regexes.find((r) => /\\d/.test(r));
  if (digits !== undefined) {
    out.add(
      "local edits",
      `a regular expression over digits: /${digits.slice(0, 60)}/`,
      "regex",
      1,
    );
  }
}

/** What the temperature argument of each model call is. */
function temperatureEvidence(code: string, loops: [number, number][], out: Collector): void {
  // Literal temperatures by request: the same request at several temperatures is
  // temperature variation; different requests (a plan, then an implementation) at their own
  // fixed temperatures are not.
  const literals = new Map<string, Set<string>>();
  const varying: string[] = [];
  const inLoop = (at: number) => loops.some(([a, b]) => at >= a && at < b);
  const request = (arg: string) =>
    /[A-Za-z_$][\w$]*/.exec(
      arg.replace(/^new\s+Array\([^)]*\)\s*\.fill\(/, "").replace(/"§\d+"/g, ""),
    )?.[0] ?? "";
  for (const m of code.matchAll(/\.(prompt|batchPrompt|batch_prompt)\s*\(/g)) {
    const args = callArguments(code, m.index + m[0].length - 1);
    const arg = args[m[1] === "prompt" ? 3 : 2];
    if (arg === undefined) continue;
    if (/^-?\d*\.?\d+$/.test(arg)) {
      const key = request(args[1] ?? "");
      literals.set(key, (literals.get(key) ?? new Set()).add(String(Number(arg))));
      continue;
    }
    const name = /^[A-Za-z_$][\w$]*$/.test(arg) ? arg : undefined;
    if (name === undefined) {
      // An index into a list, arithmetic, a call: varies unless it reads a fixed option.
      if (/[[+\-*/?]|\(/.test(arg)) varying.push(arg);
      continue;
    }
    const id = escapeRegExp(name);
    const constant = new RegExp(`\\bconst\\s+${id}\\s*(:[^=]+)?=\\s*-?\\d*\\.?\\d+\\s*[;,\\n]`);
    const assigned = [
      ...code.matchAll(
        new RegExp(`\\b${id}\\s*([-+*/]?=)(?!=)|\\b(const|let|var)\\s+${id}\\b`, "g"),
      ),
    ];
    const compound = assigned.some((a) => a[1] !== undefined && a[1] !== "=");
    const loopVariable = new RegExp(`for\\s*\\(\\s*(const|let|var)\\s+${id}\\s+of\\b`).test(code);
    const derived = new RegExp(`\\b(const|let)\\s+${id}\\s*(:[^=]+)?=\\s*([^;\\n]*)`).exec(code);
    const derivedVaries = derived !== null && !constant.test(code) &&
      /[[+\-*/?(]/.test(derived[3] ?? "") && inLoop(derived.index);
    if (compound || loopVariable || assigned.length >= 2 || derivedVaries) varying.push(name);
  }
  for (const [key, values] of literals) {
    if (values.size < 2) continue;
    out.add(
      "temperature variation",
      `the same request ('${key}') at different temperatures (${[...values].join(", ")})`,
      "code",
      3,
    );
    break;
  }
  if (varying.length > 0) {
    out.add(
      "temperature variation",
      `a model call whose temperature changes: '${varying[0]!.slice(0, 60)}'`,
      "code",
      3,
    );
  }
}

function structureEvidence(
  code: string,
  strings: readonly string[],
  loops: [number, number][],
  out: Collector,
): void {
  const inLoop = (at: number) => loops.some(([a, b]) => at >= a && at < b);
  const geneticOperators = out.evidence.some((e) =>
    e.label === "genetic algorithm" && /crossover|cross|mutat|offspring/i.test(e.construct)
  );

  // Keeping the top k after sorting, inside a loop, and expanding each kept program.
  for (
    const m of code.matchAll(
      /(?<![\w$.])([A-Za-z_$][\w$]*)\s*=\s*((?:[^;=]|=>){0,400}?)\.slice\(\s*0\s*,/g,
    )
  ) {
    const kept = m[1]!;
    const source = /^[\s([]*([A-Za-z_$][\w$]*)/.exec(m[2] ?? "")?.[1];
    const sorted = /\.sort\(/.test(m[2] ?? "") ||
      [kept, source].some((v) =>
        v !== undefined && new RegExp(`\\b${escapeRegExp(v)}\\s*\\.sort\\(`).test(code)
      );
    const id = escapeRegExp(kept);
    const expanded = new RegExp(
      `\\bof\\s+${id}\\b|\\b${id}\\s*\\.\\s*(map|flatMap|forEach)\\s*\\(|%\\s*${id}\\.length`,
    ).test(code);
    if (sorted && expanded && inLoop(m.index)) {
      if (geneticOperators) {
        out.add("genetic algorithm", `elitist selection: '${kept}' keeps the top k`, "code", 1);
      } else {
        out.add(
          "beam search",
          `keeps the top k in '${kept}' each round and expands every kept program`,
          "code",
          3,
        );
      }
      break;
    }
  }

  // Metropolis acceptance: Math.random() < Math.exp(delta / T), directly or through a name.
  const metropolis =
    /Math\.random\(\)\s*<\s*Math\.exp\(|Math\.exp\([^;]{0,400}\)\s*>\s*Math\.random\(\)/
      .exec(code);
  let acceptance = metropolis?.[0];
  if (acceptance === undefined) {
    for (const m of code.matchAll(/\b([A-Za-z_$][\w$]*)\s*=\s*Math\.exp\(/g)) {
      const id = escapeRegExp(m[1]!);
      if (
        new RegExp(`Math\\.random\\(\\)\\s*<\\s*${id}\\b|\\b${id}\\s*>\\s*Math\\.random\\(\\)`)
          .test(code)
      ) {
        acceptance = `Math.random() < ${m[1]} (= Math.exp(…))`;
        break;
      }
    }
  }
  if (acceptance !== undefined) {
    out.add("simulated annealing", `Metropolis acceptance: '${acceptance}…'`, "code", 4);
  }
  const cooling = /(?<![\w$.])([A-Za-z_$][\w$]*)\s*(\*=\s*0?\.\d+|=\s*\1\s*\*\s*0?\.\d+)/.exec(
    code,
  );
  if (cooling !== null && inLoop(cooling.index)) {
    out.add("simulated annealing", `geometric cooling: '${cooling[0]}'`, "code", 1);
  }

  // UCB's confidence bonus.
  const ucb = /Math\.sqrt\([^;]{0,80}Math\.log\(|Math\.log\([^;]{0,80}Math\.sqrt\(/.exec(code);
  if (ucb !== null) {
    out.add("bandit", "an upper-confidence bonus (Math.sqrt of Math.log)", "code", 3);
  }

  // With a small probability pick a random option, otherwise the best.
  for (const m of code.matchAll(/Math\.random\(\)\s*<\s*([\w$.]+)(?!\s*\()/g)) {
    const after = code.slice(m.index, m.index + 200);
    if (/Math\.floor\(\s*Math\.random\(\)\s*\*/.test(after.slice(m[0].length))) {
      out.add(
        "epsilon-greedy",
        `a random choice with probability '${m[1]}', otherwise the best`,
        "code",
        2,
      );
      break;
    }
  }

  // Splicing text into a program: a.slice(0, i) + x + a.slice(j).
  const splice =
    /([\w$.]+)\.(slice|substring)\(\s*0\s*,[^)]*\)\s*\+[^;]*?\+\s*\1\.(slice|substring)\(/
      .exec(code);
  if (splice !== null) {
    out.add("local edits", `splices text into a source: '${splice[0].slice(0, 60)}…'`, "code", 3);
  }
  if (
    /\.split\(\s*"\\n"\s*\)/.test(code) && /\.join\(\s*"\\n"\s*\)/.test(code) &&
    /(?<![\w$.])[A-Za-z_$][\w$]*\s*\[[^\]]+\]\s*=(?!=)/.test(code)
  ) {
    out.add("local edits", "edits a line of a program split into lines", "code", 2);
  }

  // A list of prose instructions used to build different prompts.
  for (const m of code.matchAll(/\[\s*("§\d+"\s*,\s*){2,}"§\d+"\s*,?\s*\]/g)) {
    const items = [...m[0].matchAll(/"§(\d+)"/g)].map((x) => strings[Number(x[1])] ?? "");
    if (!items.every((s) => s.trim().split(/\s+/).length >= 2)) continue;
    const name = /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*$/.exec(
      code.slice(Math.max(0, m.index - 80), m.index),
    )?.[1];
    const used = name === undefined ||
      (code.match(new RegExp(`\\b${escapeRegExp(name)}\\b`, "g")) ?? []).length >= 2;
    if (used) {
      out.add(
        "hints",
        `${items.length} different instructions${name ? ` in '${name}'` : ""} for the prompts`,
        "code",
        3,
      );
      break;
    }
  }
}

/**
 * Analyses an improver's source: the evidence for each strategy, its labels and its main
 * label. Never throws.
 *
 * @param source The improver's TypeScript source.
 * @returns Main label, all labels, scores and evidence.
 *
 * @example
 * ```ts
 * import { analyzeStrategy } from "./strategy.ts";
 * import { equal, ok } from "node:assert/strict";
 * const analysis = analyzeStrategy(`
 *   // a comment about beam search is not evidence
 *   const EPSILON = 0.2;
 *   export function improveAlgorithm(s: string, u: any, lm: any) {
 *     const pool = [s];
 *     const parent = Math.random() < EPSILON ? pool[Math.floor(Math.random() * pool.length)] : pool[0];
 *     return parent;
 *   }`);
 * equal(analysis.main, "epsilon-greedy");
 * ok(analysis.evidence.some((e) => e.construct.includes("EPSILON")));
 * ```
 */
export function analyzeStrategy(source: string): StrategyAnalysis {
  const scanned = scanSource(String(source));
  const loops = loopBodies(scanned.code);
  const out = new Collector();
  wordEvidence(scanned.code, out);
  promptEvidence(scanned.strings, out);
  regexEvidence(scanned.regexes, out);
  temperatureEvidence(scanned.code, loops, out);
  structureEvidence(scanned.code, scanned.strings, loops, out);

  const scores = Object.fromEntries(STRATEGY_LABELS.map((l) => [l, 0])) as Record<
    StrategyLabel,
    number
  >;
  for (const e of out.evidence) scores[e.label] += e.weight;
  const rank = (l: StrategyLabel) => PRIORITY.indexOf(l);
  const labels = PRIORITY.filter((l) => scores[l] >= STRATEGY_THRESHOLD)
    .sort((a, b) => scores[b] - scores[a] || rank(a) - rank(b));
  const evidence = out.evidence.sort((a, b) =>
    scores[b.label] - scores[a.label] || rank(a.label) - rank(b.label) || b.weight - a.weight
  );
  return {
    main: labels[0] ?? OTHER_STRATEGY,
    labels: labels.length > 0 ? labels : [OTHER_STRATEGY],
    scores,
    evidence,
  };
}

/**
 * Names an improver's main strategy (see {@linkcode analyzeStrategy} for all labels and the
 * evidence).
 *
 * @example
 * ```ts
 * import { classifyStrategy } from "./strategy.ts";
 * import { equal } from "node:assert/strict";
 * equal(classifyStrategy("const beamWidth = 3;"), "beam search");
 * equal(classifyStrategy('const prompt = "try a beam search";'), "sample and select");
 * ```
 *
 * @param source The improver's source.
 * @returns One of {@linkcode STRATEGY_LABELS}; "sample and select" when nothing else fits.
 */
export function classifyStrategy(source: string): string {
  return analyzeStrategy(source).main;
}

/** Shares of one iteration's improvers by strategy. */
export interface StrategyProportions {
  /** The iteration. */
  t: number;
  /** How many improvers it had. */
  improvers: number;
  /** Share whose main label is each label (sums to 1 when there are improvers). */
  main: Record<StrategyLabel, number>;
  /** Share that has each label among its labels (a program may count for several). */
  labels: Record<StrategyLabel, number>;
}

/**
 * Proportions of strategies per iteration, as the paper discusses them: for each iteration,
 * the share of its improvers (one per run, or every proposal) whose main label is each
 * label, and the share that shows each label at all.
 *
 * @example
 * ```ts
 * import { strategyProportions } from "./strategy.ts";
 * import { equal } from "node:assert/strict";
 * const [t0, t1] = strategyProportions([["const x = 1;"], ["const beamWidth = 2;", "let eps = 0.1;"]]);
 * equal(t0!.main["sample and select"], 1);
 * equal(t1!.main["beam search"], 0.5);
 * equal(t1!.improvers, 2);
 * ```
 *
 * @param improversByIteration The improvers' sources, indexed by iteration.
 * @returns One entry per iteration; fractions in [0, 1] (all 0 for an empty iteration).
 */
export function strategyProportions(
  improversByIteration: readonly (readonly string[])[],
): StrategyProportions[] {
  return improversByIteration.map((sources, t) => {
    const zero = () =>
      Object.fromEntries(STRATEGY_LABELS.map((l) => [l, 0])) as Record<StrategyLabel, number>;
    const main = zero(), labels = zero();
    for (const source of sources) {
      const analysis = analyzeStrategy(source);
      main[analysis.main] += 1 / sources.length;
      for (const label of analysis.labels) labels[label] += 1 / sources.length;
    }
    for (const l of STRATEGY_LABELS) {
      main[l] = Math.min(1, main[l]);
      labels[l] = Math.min(1, labels[l]);
    }
    return { t, improvers: sources.length, main, labels };
  });
}
