/**
 * Separating a reply's reasoning from its answer, for models that think aloud in the content
 * (DeepSeek-R1 and its distillations served without a reasoning parser).
 *
 * @module
 */

/** A reply split into the answer and the reasoning that came before it. */
export interface SplitReply {
  /** What the model answered: the content without its leading reasoning. */
  answer: string;
  /** The reasoning, when there was any. */
  reasoning?: string;
}

const OPEN = /^\s*<(think|thinking|reasoning)>/;

/**
 * Splits leading reasoning blocks (`<think>…</think>`, also `<thinking>` and `<reasoning>`)
 * off a reply. Only reasoning that *starts* the reply counts, so a program that mentions
 * `<think>` inside a string or a code block keeps it. An opening tag never closed (the token
 * limit cut the thinking) makes the whole reply reasoning and the answer empty. A closing tag
 * with no opening one (chat templates that put `<think>` in the prompt) ends the reasoning
 * only when it stands outside any code fence and nothing before it opened a tag.
 *
 * @param content The reply's content.
 * @returns The answer and the reasoning.
 *
 * @example
 * ```ts
 * import { splitReasoning } from "./split_reasoning.ts";
 * import { equal } from "node:assert/strict";
 * const split = splitReasoning("<think>draft</think>\nThe answer.");
 * equal(split.answer, "The answer.");
 * equal(split.reasoning, "draft");
 * equal(splitReasoning('const s = "<think>";').answer, 'const s = "<think>";');
 * ```
 */
export function splitReasoning(content: string): SplitReply {
  const thoughts: string[] = [];
  let rest = content;
  for (;;) {
    const open = OPEN.exec(rest);
    if (open === null) break;
    const tag = open[1]!;
    const body = rest.slice(open[0].length);
    const close = body.indexOf(`</${tag}>`);
    if (close < 0) {
      thoughts.push(body.trim());
      rest = "";
      break;
    }
    thoughts.push(body.slice(0, close).trim());
    rest = body.slice(close + tag.length + 3);
  }
  if (thoughts.length === 0) {
    const close = rest.indexOf("</think>");
    if (close >= 0) {
      const before = rest.slice(0, close);
      if (!before.includes("<think>") && !holdsCode(before)) {
        thoughts.push(before.trim());
        rest = rest.slice(close + "</think>".length);
      }
    }
  }
  if (thoughts.length === 0) return { answer: content };
  return { answer: rest.replace(/^\s+/, ""), reasoning: thoughts.join("\n\n") };
}

/** Whether text before a closing tag holds a code fence or ends in a quote (the tag is code). */
function holdsCode(text: string): boolean {
  // Any fence before the closing tag means the tag belongs to the answer (e.g. a program).
  return /(^|\n)\s*(```|~~~)/.test(text) || /["'`]$/.test(text.trimEnd());
}
