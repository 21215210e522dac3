/**
 * `extractCode` on the reply shapes real endpoints send (issue 11): a table of replies, each
 * class with several variants and innocent look-alikes, checked host-side (where the host
 * prefetches the code of every reply) and inside the real sandbox (where improvers import
 * the same module as `./helpers.ts`). Replies taken whole without a fence are checked
 * against a real parser (the sandbox's own transpiler).
 *
 * @module
 */
import assert from "node:assert/strict";
import { extractCode } from "../improvers/programs/helpers.ts";
import { guestHelpersSource } from "../improvers/run_improver.ts";
import { loadProgram } from "../sandbox/program.ts";
import { transpile } from "../sandbox/transpile.ts";

const B = "```";
const T = "~~~";

const SOLUTION = [
  "export function algorithm(train: number[][], labels: number[], test: number[][]): number[] {",
  "  return test.map(() => labels[0] ?? 0);",
  "}",
].join("\n");
/** A test harness larger than the solution: imports and calls it, exports nothing. */
const HARNESS = [
  'import { algorithm } from "./solution.ts";',
  "const train = [[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1]];",
  "const labels = [1, 0, 1, 0];",
  "for (let trial = 0; trial < 10; trial++) {",
  "  const predictions = algorithm(train, labels, train);",
  "  const correct = predictions.filter((p, i) => p === labels[i]).length;",
  "  console.log(`trial ${trial}: ${correct} of ${labels.length} correct`);",
  "}",
].join("\n");
const PYTHON_DRAFT = [
  "import numpy as np",
  "",
  "def algorithm(train_samples, train_labels, test_samples):",
  "    A = np.array(train_samples) % 2",
  "    b = np.array(train_labels) % 2",
  "    # Gaussian elimination over GF(2), then predict with the recovered secret",
  "    secret = solve_gf2(A, b)",
  "    return [int(np.dot(x, secret) % 2) for x in test_samples]",
].join("\n");
const IMPROVER = [
  'import { extractCode } from "./helpers.ts";',
  "export function improveAlgorithm(s: string, utility: any, lm: any): string {",
  '  const [reply] = lm.prompt("Expert.", s, 1, 0.7);',
  '  return extractCode(reply ?? "") ?? s;',
  "}",
].join("\n");
/** A larger usage demo in an improver reply: exports a solution, not an improver. */
const DEMO_SOLUTION = [
  "// How the improved improver would be used on a toy task:",
  "export function algorithm(xs: number[]): number[] {",
  "  const out: number[] = [];",
  "  for (const x of xs) out.push(x * 2);",
  "  return out.sort((a, b) => a - b);",
  "}",
  "console.log(algorithm([3, 1, 2]));",
].join("\n");
const UNFENCED = [
  "// Gaussian elimination over GF(2).",
  'import { extractCode } from "./helpers.ts";',
  "const MASK = /[01]+/g;",
  "export function algorithm(train: number[][], labels: number[], test: number[][]): number[] {",
  "  const note = `rows: ${train.length} {not a brace}`;",
  "  const odd = \"}\" + '(';",
  "  return test.map((row) => row.reduce((a, b) => a ^ b, 0) / 1);",
  "}",
].join("\n");

/** One row of the table. */
interface Case {
  name: string;
  reply: string;
  needs?: string | string[];
  expected: string | undefined;
}

/** Rows, by class. */
const CASES: Record<string, Case[]> = {
  "clean single fence (the paper's case)": [
    { name: "ts", reply: `Idea: vote.\n${B}ts\n${SOLUTION}\n${B}\n`, expected: SOLUTION },
    { name: "untagged", reply: `${B}\n${SOLUTION}\n${B}`, expected: SOLUTION },
    {
      name: "with the export named",
      reply: `Idea.\n\n${B}typescript\n${SOLUTION}\n${B}\nDone.`,
      needs: "algorithm",
      expected: SOLUTION,
    },
    {
      name: "the needed export missing: still the only block",
      reply: `${B}ts\nexport const x = 1;\n${B}`,
      needs: "algorithm",
      expected: "export const x = 1;",
    },
  ],
  "tilde fences": [
    { name: "~~~ts", reply: `Idea.\n${T}ts\n${SOLUTION}\n${T}\n`, expected: SOLUTION },
    {
      name: "~~~~ holding a backtick fence",
      reply: `${T}~ ts\nconst fence = [\n"${B}ts",\n];\n${T}~`,
      expected: `const fence = [\n"${B}ts",\n];`,
    },
    {
      name: "closed by a longer tilde fence",
      reply: `${T}\n${SOLUTION}\n${T}~~\nafter`,
      expected: SOLUTION,
    },
    {
      name: "look-alike: a backtick fence is not closed by tildes (cut off)",
      reply: `${B}ts\n${SOLUTION}\n${T}`,
      expected: undefined,
    },
    {
      name: "look-alike: tildes in prose open nothing usable",
      reply: `Roughly ${T} the same.\n${B}ts\n${SOLUTION}\n${B}`,
      expected: SOLUTION,
    },
  ],
  "info strings": [
    { name: "typescript", reply: `${B}typescript\n${SOLUTION}\n${B}`, expected: SOLUTION },
    {
      name: 'ts title="x"',
      reply: `${B}ts title="solution.ts"\n${SOLUTION}\n${B}`,
      expected: SOLUTION,
    },
    { name: "{.ts}", reply: `${B}{.ts}\n${SOLUTION}\n${B}`, expected: SOLUTION },
    { name: "ts:solution.ts", reply: `${B}ts:solution.ts\n${SOLUTION}\n${B}`, expected: SOLUTION },
    { name: "TypeScript", reply: `${B} TypeScript \n${SOLUTION}\n${B}`, expected: SOLUTION },
    {
      name: "look-alike: an inline span is no fence",
      reply: `Use ${B}algorithm${B} here.`,
      expected: undefined,
    },
  ],
  "a test harness larger than the solution": [
    {
      name: "harness after the solution",
      reply: `Idea.\n${B}ts\n${SOLUTION}\n${B}\nTest it:\n${B}ts\n${HARNESS}\n${B}`,
      needs: "algorithm",
      expected: SOLUTION,
    },
    {
      name: "harness first",
      reply: `${B}ts\n${HARNESS}\n${B}\n${B}ts\n${SOLUTION}\n${B}`,
      needs: "algorithm",
      expected: SOLUTION,
    },
    {
      name: "without the export named: the exporting block",
      reply: `${B}ts\n${HARNESS}\n${B}\n${B}ts\n${SOLUTION}\n${B}`,
      expected: SOLUTION,
    },
    {
      name: "export by list, renamed",
      reply:
        `${B}ts\n${HARNESS}\n${B}\n${B}\nfunction solve() { return []; }\nexport {\n  solve as algorithm,\n};\n${B}`,
      needs: "algorithm",
      expected: "function solve() { return []; }\nexport {\n  solve as algorithm,\n};",
    },
    {
      name: "look-alike: two solutions, the larger wins",
      reply: `${B}ts\nexport function algorithm() { return []; }\n${B}\n${B}ts\n${SOLUTION}\n${B}`,
      needs: "algorithm",
      expected: SOLUTION,
    },
    {
      name: "look-alike: a similar name or a commented-out export defines nothing",
      reply:
        `${B}ts\n// export function algorithm() {}\nexport function algorithmV2() { return [1, 2, 3, 4, 5, 6]; }\n${B}\n${B}ts\n${SOLUTION}\n${B}`,
      needs: "algorithm",
      expected: SOLUTION,
    },
    {
      name: "improver: the improver wins over a larger demo solution",
      reply: `${B}ts\n${DEMO_SOLUTION}\n${B}\n${B}ts\n${IMPROVER}\n${B}`,
      needs: "improveAlgorithm",
      expected: IMPROVER,
    },
  ],
  "other languages": [
    {
      name: "a larger python draft loses",
      reply: `Draft:\n${B}python\n${PYTHON_DRAFT}\n${B}\nIn TypeScript:\n${B}ts\n${SOLUTION}\n${B}`,
      needs: "algorithm",
      expected: SOLUTION,
    },
    {
      name: "py tag, export not named",
      reply: `${B}ts\n${SOLUTION}\n${B}\n${B}py\n${PYTHON_DRAFT}\n${B}`,
      expected: SOLUTION,
    },
    {
      name: "a larger shell block loses to an untagged one",
      reply: `${B}bash\n${
        "deno run --allow-read solution.ts\n".repeat(8)
      }${B}\n${B}\n${SOLUTION}\n${B}`,
      expected: SOLUTION,
    },
    {
      name: "look-alike: only python: the paper's largest block",
      reply: `${B}python\n${PYTHON_DRAFT}\n${B}`,
      needs: "algorithm",
      expected: PYTHON_DRAFT,
    },
  ],
  "cut off by the token limit": [
    {
      name: "the only block never closes",
      reply: `Idea.\n${B}ts\n${SOLUTION.slice(0, 60)}`,
      expected: undefined,
    },
    {
      name: "tildes never close",
      reply: `${T}ts\n${SOLUTION}`,
      expected: undefined,
    },
    {
      name: "a closed block before a cut-off larger one",
      reply:
        `${B}ts\nexport function algorithm() { return []; }\n${B}\n${B}ts\n${SOLUTION}\n${HARNESS}`,
      needs: "algorithm",
      expected: "export function algorithm() { return []; }",
    },
    {
      name: "look-alike: a closing fence with trailing spaces closes",
      reply: `${B}ts\n${SOLUTION}\n${B}   `,
      expected: SOLUTION,
    },
  ],
  "reasoning left in the reply (a raw reply, as the cache keeps it)": [
    {
      name: "a larger TypeScript draft while thinking",
      reply:
        `<think>\nFirst draft:\n${B}ts\n${SOLUTION}\n${HARNESS}\n${B}\n</think>\n${B}ts\n${SOLUTION}\n${B}`,
      needs: "algorithm",
      expected: SOLUTION,
    },
    {
      name: "a python draft while thinking, the answer unfenced",
      reply: `<think>\n${B}python\n${PYTHON_DRAFT}\n${B}\n</think>\n\n${SOLUTION}\n`,
      expected: SOLUTION,
    },
    {
      name: "<thinking>",
      reply:
        `<thinking>${B}ts\nexport function algorithm() { return [0, 0, 0, 0, 0, 0, 0, 0]; }\n${B}</thinking>\n${B}ts\n${SOLUTION}\n${B}`,
      expected: SOLUTION,
    },
    {
      name: "cut off while thinking",
      reply: `<think>\nDraft:\n${B}ts\n${SOLUTION}\n${B}\nNow the final answer`,
      expected: undefined,
    },
    {
      name: "look-alike: a tag named in the answer's prose",
      reply: `Models such as R1 write <think> first.\n${B}ts\n${SOLUTION}\n${B}`,
      expected: SOLUTION,
    },
  ],
  "no fence": [
    { name: "a whole module", reply: `${UNFENCED}\n`, needs: "algorithm", expected: UNFENCED },
    { name: "just the solution", reply: `\n\n${SOLUTION}\n\n`, expected: SOLUTION },
    {
      name: "an improver",
      reply: IMPROVER,
      needs: "improveAlgorithm",
      expected: IMPROVER,
    },
    {
      name: "look-alike: prose before the code",
      reply: `Here is the improved version:\n${SOLUTION}`,
      expected: undefined,
    },
    {
      name: "look-alike: prose after the code",
      reply: `${SOLUTION}\nThis runs in linear time.`,
      expected: undefined,
    },
    {
      name: "look-alike: cut off mid-way",
      reply: SOLUTION.slice(0, SOLUTION.length - 3) + ";",
      expected: undefined,
    },
    {
      name: "look-alike: prose that names the export",
      reply: "export function algorithm is what you asked for;",
      expected: undefined,
    },
    {
      name: "look-alike: code without the needed export",
      reply: "export function solve(): number[] {\n  return [];\n}",
      needs: "algorithm",
      expected: undefined,
    },
    {
      name: "look-alike: code without any export",
      reply: "function algorithm(): number[] {\n  return [];\n}",
      expected: undefined,
    },
  ],
};

const ALL: Case[] = Object.values(CASES).flat();

Deno.test("extractCode() picks the code an improver needs from every reply shape (host side)", async (t) => {
  for (const [kind, cases] of Object.entries(CASES)) {
    await t.step(kind, () => {
      for (const c of cases) assert.equal(extractCode(c.reply, c.needs), c.expected, c.name);
    });
  }
  await t.step("the array form gives the same answers", () => {
    const needs = "algorithm";
    const rows = ALL.filter((c) => c.needs === undefined || c.needs === needs);
    assert.deepEqual(extractCode(rows.map((c) => c.reply), needs), rows.map((c) => c.expected));
  });
});

Deno.test("extractCode() reads hostile replies in one pass (a backtracking scan would not finish)", () => {
  // The host runs extractCode on every reply: a scan that backtracks on long runs of spaces
  // would block its event loop (an earlier pattern took 65 s on 5,000 spaces).
  const spaces = " ".repeat(200_000);
  const hostile = [
    `${B}ts\nexport function${spaces}!\n${B}`,
    `${B}ts\nexport const${spaces}x${spaces}!\n${B}`,
    `${B}${spaces}ts${spaces}x\n${SOLUTION}\n${B}${spaces}x`,
    `${"`".repeat(50_000)}${spaces}x`,
    `export {${" ".repeat(1_000)}\n`.repeat(2_000),
    `<think>${spaces}`,
    `export function algorithm() {${"(".repeat(100_000)}`,
  ];
  const results = hostile.map((reply) => extractCode(reply, "algorithm"));
  assert.deepEqual(results, [
    `export function${spaces}!`,
    `export const${spaces}x${spaces}!`,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("extractCode() takes a reply without fences whole only when a real parser accepts it", () => {
  for (const c of CASES["no fence"]!) {
    const parses = transpile(c.reply).ok;
    if (c.expected !== undefined) assert.ok(parses, `${c.name}: accepted but does not parse`);
  }
  // The look-alikes that are cut off or mixed with prose do not parse either.
  for (const name of ["prose before the code", "prose after the code", "cut off mid-way"]) {
    const c = CASES["no fence"]!.find((x) => x.name === `look-alike: ${name}`)!;
    assert.equal(transpile(c.reply).ok, false, name);
  }
});

Deno.test("extractCode() gives the same answers inside the sandbox as on the host", async () => {
  const guest = `import { extractCode } from "./helpers.ts";
export function main(cases: { reply: string; needs?: string | string[] }[]): (string | null)[] {
  return cases.map((c) => extractCode(c.reply, c.needs) ?? null);
}`;
  await using program = await loadProgram(guest, {
    helpers: await guestHelpersSource(),
    limits: { timeoutMs: 10_000 },
  });
  const result = await program.call("main", [
    ALL.map((
      c,
    ) => (c.needs === undefined ? { reply: c.reply } : { reply: c.reply, needs: c.needs })),
  ]);
  assert.ok(result.ok, result.ok ? "" : `${result.failure.kind}: ${result.failure.message}`);
  const answers = result.value as (string | null)[];
  assert.equal(answers.length, ALL.length);
  for (const [i, c] of ALL.entries()) assert.equal(answers[i] ?? undefined, c.expected, c.name);
});
