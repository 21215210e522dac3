// deno-lint-ignore-file no-console -- the labelled-set test reports the classifier's figures
import { deepEqual, equal, ok } from "node:assert/strict";
import { scanSource } from "../analysis/_scan_source.ts";
import {
  analyzeStrategy,
  classifyStrategy,
  OTHER_STRATEGY,
  STRATEGY_LABELS,
  type StrategyLabel,
  strategyProportions,
} from "../analysis/strategy.ts";
import {
  confirmStrategy,
  parseStrategyAnswer,
  strategyQuestion,
} from "../analysis/confirm_strategy.ts";
import { transpile } from "../sandbox/transpile.ts";
import { createLanguageModel, GlobalBudget, ModelGateway } from "../lm/mod.ts";
import { OfflineBackend } from "../stand_in/mod.ts";

const DIR = new URL("./testdata/strategies/", import.meta.url);

interface Labelled {
  file: string;
  set: "tuning" | "held-out" | "catalog";
  main: StrategyLabel;
  labels: StrategyLabel[];
}

async function labelled(): Promise<(Labelled & { source: string })[]> {
  const { programs } = JSON.parse(await Deno.readTextFile(new URL("labels.json", DIR))) as {
    programs: Labelled[];
  };
  return await Promise.all(
    programs.map(async (p) => ({ ...p, source: await Deno.readTextFile(new URL(p.file, DIR)) })),
  );
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

Deno.test("scanSource() separates code from comments, strings, templates and regexes", async (t) => {
  await t.step("comments are dropped, including ones holding quotes", () => {
    const s = scanSource('const a = 1; // it\'s "beam"\n/* crossover */ const b = 2;');
    equal(s.code.includes("beam") || s.code.includes("crossover"), false);
    deepEqual(s.comments.map((c) => c.trim()), ['it\'s "beam"', "crossover"]);
    deepEqual(s.strings, []);
  });
  await t.step("strings become placeholders; short ones without brackets stay", () => {
    const s = scanSource('const s = "use a beam"; x.split("\\n"); y.join(","); z(")");');
    deepEqual(s.strings, ["use a beam", ")"]);
    ok(s.code.includes('x.split("\\n")'), s.code);
    ok(s.code.includes('y.join(",")'), s.code);
    equal(s.code.includes("beam"), false);
  });
  await t.step("template expressions stay code, nested templates too", () => {
    const s = scanSource("const m = `a ${beam.map((b) => `x ${b.code} y`).join()} z`;");
    ok(s.code.includes("beam.map((b) =>"), s.code);
    ok(s.code.includes("b.code"), s.code);
    // Every chunk is short ("a ", "x ", " y", " z"), so all of them stay inline.
    deepEqual(s.strings, []);
    const long = scanSource("f(`Improve ${best} please`)");
    deepEqual(long.strings, ["Improve ", " please"]);
    ok(long.code.includes("(best)"), long.code);
  });
  await t.step("a regex literal is told from a division", () => {
    const s = scanSource(
      "const r = a / b / c; const f = /function\\s+(\\w+)/g; if (/x/.test(q)) {}",
    );
    deepEqual(s.regexes, ["function\\s+(\\w+)", "x"]);
    ok(s.code.includes("a / b / c"), s.code);
  });
  await t.step("unterminated text runs to the end without throwing", () => {
    for (const text of ['"abc', "`abc ${x", "/* never closed", "a = /unclosed"]) scanSource(text);
  });
});

Deno.test("analyzeStrategy() on the labelled set: main-label accuracy and per-label precision and recall", async () => {
  const programs = await labelled();
  ok(programs.length >= 60, `labelled programs: ${programs.length}`);
  const counts = new Map<string, number>();
  for (const p of programs.filter((p) => p.set !== "catalog")) {
    for (const l of p.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  for (const label of STRATEGY_LABELS) {
    ok((counts.get(label) ?? 0) >= 2, `at least 2 hand-written programs with '${label}'`);
  }
  ok(programs.filter((p) => p.labels.length > 1).length >= 6, "several mixed programs");

  const results = programs.map((p) => ({ ...p, analysis: analyzeStrategy(p.source) }));
  const accuracy = (set?: string) => {
    const chosen = results.filter((r) => set === undefined || r.set === set);
    return { n: chosen.length, right: chosen.filter((r) => r.analysis.main === r.main).length };
  };
  const lines = ["strategy classifier on tests/testdata/strategies/labels.json:"];
  for (const set of ["tuning", "catalog", "held-out", undefined]) {
    const { n, right } = accuracy(set);
    lines.push(`  main label, ${set ?? "all"}: ${right}/${n} (${pct(right / n)})`);
  }
  lines.push("  label            precision  recall   (multi-label, all programs)");
  const perLabel = new Map<StrategyLabel, { precision: number; recall: number }>();
  for (const label of STRATEGY_LABELS) {
    const predicted = results.filter((r) => r.analysis.labels.includes(label));
    const actual = results.filter((r) => r.labels.includes(label));
    const hits = predicted.filter((r) => r.labels.includes(label)).length;
    const precision = predicted.length === 0 ? 1 : hits / predicted.length;
    const recall = actual.length === 0 ? 1 : hits / actual.length;
    perLabel.set(label, { precision, recall });
    lines.push(
      `  ${label.padEnd(22)} ${`${hits}/${predicted.length}`.padStart(6)} ${
        pct(precision).padStart(5)
      }  ${`${hits}/${actual.length}`.padStart(6)} ${pct(recall).padStart(5)}`,
    );
  }
  for (const r of results.filter((r) => r.analysis.main !== r.main)) {
    lines.push(`  wrong: ${r.file} (${r.set}): ${r.analysis.main}, labelled ${r.main}`);
  }
  const catalogDir = new URL("../stand_in/programs/improver/", import.meta.url);
  const unlabelled = [...Deno.readDirSync(catalogDir)].map((e) => e.name)
    .filter((name) => !programs.some((p) => p.file.endsWith(`/improver/${name}`)));
  if (unlabelled.length > 0) {
    lines.push(
      `  catalog improvers without a label (add them to labels.json): ${unlabelled.join(", ")}`,
    );
  }
  console.log(lines.join("\n"));

  // Floors below what the classifier reaches, so that a regression fails but a new labelled
  // program it gets wrong does not.
  const all = accuracy();
  ok(all.right / all.n >= 0.9, `main-label accuracy ${all.right}/${all.n}`);
  const heldOut = accuracy("held-out");
  ok(heldOut.n >= 10, "held-out programs");
  ok(
    heldOut.right / heldOut.n >= 0.75,
    `held-out main-label accuracy ${heldOut.right}/${heldOut.n}`,
  );
  for (const [label, { precision, recall }] of perLabel) {
    ok(precision >= 0.75, `${label}: precision ${pct(precision)}`);
    ok(recall >= 0.6, `${label}: recall ${pct(recall)}`);
  }
});

Deno.test("analyzeStrategy() ignores comments: decoy comments change no catalog improver's labels", async () => {
  const decoy =
    `// Ideas: beam search (beamWidth = 3), a genetic algorithm with crossover and mutation,
// simulated annealing (T *= 0.9; if (Math.random() < Math.exp(delta / T))), a UCB bandit over
// arms, epsilon-greedy (epsilon = 0.1), decomposition into functions, local character edits,
// and a list of hints.
/* const temperatures = [0.2, 1.2]; languageModel.prompt(E, m, 4, temperatures[i]); */
`;
  for (const p of (await labelled()).filter((p) => p.set === "catalog")) {
    const plain = analyzeStrategy(p.source);
    const decorated = analyzeStrategy(
      decoy + p.source.replace(/\n(\s*)return /g, "\n$1// hints: use a beam\n$1return "),
    );
    deepEqual(decorated.labels, plain.labels, p.file);
  }
});

Deno.test("analyzeStrategy() reads prompt text as evidence of hints, decomposition and local edits only", async (t) => {
  const seed = await Deno.readTextFile(
    new URL("../improvers/programs/seed_improver.ts", import.meta.url),
  );
  await t.step(
    "a prompt that recommends search strategies leaves the seed 'sample and select'",
    () => {
      const advised = seed.replace(
        "Reply with an improved version of the solution.",
        "Consider a beam search, simulated annealing with cooling, a genetic algorithm or a UCB " +
          "bandit with epsilon-greedy exploration. Reply with an improved version of the solution.",
      );
      ok(advised !== seed, "the seed's prompt was changed");
      equal(classifyStrategy(advised), OTHER_STRATEGY);
    },
  );
  await t.step("prompt text that asks for a single-line edit is evidence of local edits", () => {
    const local = seed.replace(
      "Reply with an improved version of the solution.",
      "Change a single line only. Reply with an improved version of the solution.",
    );
    ok(analyzeStrategy(local).evidence.some((e) => e.where === "prompt text"));
    equal(classifyStrategy(local), "local edits");
  });
  await t.step("identifiers, not strings, name search strategies", () => {
    equal(classifyStrategy('const s = "beamWidth";'), OTHER_STRATEGY);
    equal(classifyStrategy("const beamWidth = 2;"), "beam search");
  });
});

Deno.test("every hand-written labelled improver compiles", async () => {
  for (const p of (await labelled()).filter((p) => p.set !== "catalog")) {
    const result = transpile(p.source);
    ok(result.ok, `${p.file}: ${result.ok ? "" : result.message}`);
  }
});

Deno.test("strategyProportions() gives the share of each label per iteration", async () => {
  const programs = await labelled();
  const pick = (file: string) => programs.find((p) => p.file.endsWith(file))!.source;
  const table = strategyProportions([
    [pick("seed_improver.ts")],
    [
      pick("beam_width_three.ts"),
      pick("ga_classic.ts"),
      pick("bandit_ucb_temperatures.ts"),
      pick(
        "hints_list.ts",
      ),
    ],
    [],
  ]);
  equal(table.length, 3);
  equal(table[0]!.main[OTHER_STRATEGY], 1);
  equal(table[1]!.improvers, 4);
  equal(table[1]!.main["beam search"], 0.25);
  equal(table[1]!.main["bandit"], 0.25);
  equal(table[1]!.labels["temperature variation"], 0.25);
  const total = Object.values(table[1]!.main).reduce((a, b) => a + b, 0);
  ok(Math.abs(total - 1) < 1e-9, `main shares sum to ${total}`);
  ok(Object.values(table[2]!.main).every((x) => x === 0));
  for (const row of table) {
    for (const x of [...Object.values(row.main), ...Object.values(row.labels)]) {
      ok(x >= 0 && x <= 1);
    }
  }
});

Deno.test("parseStrategyAnswer() reads a Strategy line, synonyms, or nothing", () => {
  equal(parseStrategyAnswer("Strategy: genetic algorithm\nbecause crossover"), "genetic algorithm");
  equal(parseStrategyAnswer("**Strategy:** Epsilon-Greedy"), "epsilon-greedy");
  equal(parseStrategyAnswer("Strategy: tree search over programs"), "beam search");
  equal(parseStrategyAnswer("It is plain best-of-n sampling."), OTHER_STRATEGY);
  equal(parseStrategyAnswer("Strategy: hints\nNot a beam search."), "hints");
  equal(parseStrategyAnswer(""), undefined);
});

Deno.test("confirmStrategy() asks once, parses the answer and compares it with the static label", async (t) => {
  const source = "const beamWidth = 2; const temperatures = [0.2, 1.0];";
  await t.step("agreement", async () => {
    const asked: string[] = [];
    const model = {
      prompt: (_e: string, message: string) => {
        asked.push(message);
        return Promise.resolve(["Strategy: beam search\nA beam of two."]);
      },
    };
    const c = await confirmStrategy(source, model);
    equal(asked.length, 1);
    ok(asked[0]!.includes(source));
    equal(c.static, "beam search");
    equal(c.model, "beam search");
    equal(c.agrees, true);
  });
  await t.step("disagreement and unparsable replies", async () => {
    const c = await confirmStrategy(source, {
      prompt: () => Promise.resolve(["Strategy: bandit"]),
    });
    equal(c.model, "bandit");
    equal(c.agrees, false);
    equal(c.agreesWithAnyLabel, false);
    const none = await confirmStrategy(source, { prompt: () => Promise.resolve(["?"]) });
    equal(none.model, undefined);
    equal(none.agrees, false);
  });
  await t.step("a failing model is data, not an exception", async () => {
    const c = await confirmStrategy(source, {
      prompt: () => Promise.reject(new Error("budget spent")),
    });
    equal(c.error, "budget spent");
    equal(c.model, undefined);
  });
  await t.step("the question fences source that holds backticks", () => {
    const q = strategyQuestion("const f = '```';");
    ok(q.includes("````ts\n"), q.slice(-60));
  });
});

Deno.test("confirmStrategy() with the offline stand-in answers every catalog improver with a label", async () => {
  const gateway = new ModelGateway(new OfflineBackend({ seed: 0 }), {
    globalBudget: new GlobalBudget({ maxCalls: 100 }),
  });
  const catalog = (await labelled()).filter((p) => p.set === "catalog");
  let agree = 0;
  for (const p of catalog) {
    const model = createLanguageModel(gateway, { budget: 1, maxResponsesPerCall: 1 });
    const c = await confirmStrategy(p.source, model);
    ok(c.model !== undefined, `${p.file}: ${c.reply.slice(0, 80)}`);
    ok(c.reply.includes("not by a language model"));
    if (c.agrees) agree++;
  }
  console.log(
    `offline stand-in (a keyword count, not a model) agrees with the static main label on ${agree}/${catalog.length} catalog improvers`,
  );
  ok(agree >= catalog.length / 2, `agreement ${agree}/${catalog.length}`);
});
