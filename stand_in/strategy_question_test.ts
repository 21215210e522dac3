import { deepEqual, equal, match } from "node:assert/strict";
import {
  answerStrategyQuestion,
  STRATEGY_QUESTION_MARKER,
  strategyQuestionLabels,
} from "./strategy_question.ts";
import { recognizeRequest } from "./recognize_request.ts";
import { OfflineBackend } from "./offline_backend.ts";

const FENCE = "`".repeat(3);
const LABELS = "beam search | simulated annealing | hints | sample and select";
const question = (code: string) =>
  `Classify this.\n${STRATEGY_QUESTION_MARKER} ${LABELS}\n- beam search: keeps a beam\n\n${FENCE}ts\n${code}\n${FENCE}`;

Deno.test("strategyQuestionLabels() reads the label line and nothing else", () => {
  deepEqual(strategyQuestionLabels(question("x")), [
    "beam search",
    "simulated annealing",
    "hints",
    "sample and select",
  ]);
  equal(strategyQuestionLabels("export function improveAlgorithm() {}"), undefined);
  equal(strategyQuestionLabels(`${STRATEGY_QUESTION_MARKER}   \nbeam`), undefined);
});

Deno.test("answerStrategyQuestion() names the label with the most cues in the code block", () => {
  const annealing = "let t = 1; const cooling = 0.5; if (Math.random() < Math.exp(d / t)) {}";
  match(answerStrategyQuestion(question(annealing)), /^Strategy: simulated annealing\n/);
  match(
    answerStrategyQuestion(question("const beam = []; const beamWidth = 2;")),
    /^Strategy: beam search\n/,
  );
  // Nothing matches: the last label, the "none of these" one.
  match(answerStrategyQuestion(question("return best;")), /^Strategy: sample and select\n/);
  match(answerStrategyQuestion(question("return best;")), /not by a language model/);
});

Deno.test("recognizeRequest() sees a strategy question even though it shows an improver", () => {
  const asked = recognizeRequest([
    { role: "system", content: "expert" },
    { role: "user", content: question("export function improveAlgorithm() { const hints = []; }") },
  ]);
  equal(asked.kind, "strategy-question");
  deepEqual(asked.kind === "strategy-question" ? asked.labels.length : 0, 4);
  equal(recognizeRequest([{ role: "user", content: "improveAlgorithm" }]).kind, "program");
});

Deno.test("OfflineBackend answers a strategy question with a label, not a program", async () => {
  const backend = new OfflineBackend({ seed: 3 });
  const result = await backend.complete({
    messages: [{ role: "user", content: question("const HINTS = ['a b', 'c d']; // hints") }],
    n: 2,
    temperature: 0,
  });
  equal(result.choices.length, 2);
  for (const choice of result.choices) {
    match(choice, /^Strategy: hints\n/);
    equal(choice.includes(FENCE), false);
  }
});
