import { equal } from "node:assert/strict";
import { splitReasoning } from "./split_reasoning.ts";

Deno.test("splitReasoning() takes leading reasoning off the answer", async (t) => {
  await t.step("one <think> block holding a draft program", () => {
    const split = splitReasoning(
      "<think>\nDraft:\n```python\ndef f(): pass\n```\n</think>\n\nIdea.\n```ts\nexport const x = 1;\n```",
    );
    equal(split.answer, "Idea.\n```ts\nexport const x = 1;\n```");
    equal(split.reasoning, "Draft:\n```python\ndef f(): pass\n```");
  });
  await t.step("leading whitespace and two blocks", () => {
    const split = splitReasoning("\n  <think>a</think><think>b</think> answer");
    equal(split.answer, "answer");
    equal(split.reasoning, "a\n\nb");
  });
  await t.step("<thinking> and <reasoning> tags", () => {
    equal(splitReasoning("<thinking>x</thinking>y").answer, "y");
    equal(splitReasoning("<reasoning>x</reasoning>y").answer, "y");
  });
  await t.step("an unclosed <think> cut by the token limit leaves no answer", () => {
    const split = splitReasoning("<think>\nLet me write a draft\n```python\nimport ra");
    equal(split.answer, "");
    equal(split.reasoning, "Let me write a draft\n```python\nimport ra");
  });
  await t.step("a closing tag without an opening one (template put <think> in the prompt)", () => {
    const split = splitReasoning("Okay, I think the draft works.\n</think>\n\nThe answer.");
    equal(split.answer, "The answer.");
    equal(split.reasoning, "Okay, I think the draft works.");
  });
});

Deno.test("splitReasoning() leaves innocent look-alikes whole", async (t) => {
  const whole = (text: string) => {
    const split = splitReasoning(text);
    equal(split.answer, text);
    equal(split.reasoning, undefined);
  };
  await t.step("a program that mentions <think> in a string inside a code block", () =>
    whole(
      'Idea: strip tags.\n```ts\nexport function clean(s: string) {\n  return s.replace("<think>", "").replace("</think>", "");\n}\n```',
    ));
  await t.step(
    "<think> in the middle of prose",
    () => whole("Models emit <think>…</think> blocks; this answer explains them."),
  );
  await t.step(
    "a closing tag inside a code block with no opening tag",
    () => whole('```ts\nconst end = "</think>";\n```\nDone.'),
  );
  await t.step(
    "a closing tag right after a quote",
    () => whole('const tag = "</think>"; // the tag we strip'),
  );
  await t.step("a tag that is not reasoning", () => whole("<thinker>x</thinker> y"));
  await t.step("an empty reply", () => whole(""));
});
