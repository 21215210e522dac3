/**
 * Reading a program's JavaScript with a real parser (acorn) for the host's static analyses
 * (private to `improvers/`): the syntax tree, every token in source order and the comments.
 * Regular-expression literals, divisions, templates and comments are told apart by the
 * parser itself, never by a hand-written lexer.
 *
 * Guest-produced text is bounded before it is read: a source longer than
 * {@linkcode MAX_ANALYSED_CHARS} is not parsed at all (the caller says "undecided" or "too
 * large"), and acorn's parse is linear in the text, so one parse takes a few milliseconds
 * per kilobyte; with the token and nesting caps below, every analysis built on the tokens
 * is bounded too (measured: under 1 s for any text up to the cap on a loaded machine).
 *
 * @module
 */
import * as acorn from "acorn";

/** The longest source the host parses (characters); longer text is not analysed. */
export const MAX_ANALYSED_CHARS = 60_000;

/**
 * The deepest bracket and template nesting the host analyses; deeper text is not analysed
 * (its tokens are dropped), which keeps every analysis built on the tokens within
 * (length × this depth) steps.
 */
export const MAX_ANALYSED_DEPTH = 64;

/** The most tokens the host analyses; a program with more is not analysed. */
export const MAX_ANALYSED_TOKENS = 25_000;

/** A comment: its text and where it is. */
export interface SourceComment {
  /** Whether it was a `//` comment (else a block comment). */
  line: boolean;
  /** Its text without the markers. */
  text: string;
  /** Offset of its first character. */
  start: number;
  /** Offset one past its last character. */
  end: number;
}

/** A program read by {@linkcode parseJs}. */
export interface ParsedJs {
  /** The syntax tree, or `undefined` when the text is not a valid module or script. */
  ast: acorn.Program | undefined;
  /** Every token, in source order (as far as the text could be tokenized). */
  tokens: acorn.Token[];
  /** Every comment, in source order. */
  comments: SourceComment[];
  /** The parse error, when there was one. */
  error: string | undefined;
  /**
   * Whether the text was not analysed: longer than {@linkcode MAX_ANALYSED_CHARS}, or nested
   * deeper than {@linkcode MAX_ANALYSED_DEPTH} (then there is no tree and no token).
   */
  tooLarge: boolean;
}

const OPTIONS = {
  ecmaVersion: "latest",
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
  allowImportExportEverywhere: true,
  locations: true,
} as const;

/**
 * Parses JavaScript (types already stripped) as a module, then as a script; when neither
 * parses, tokenizes as far as the text allows. Never throws.
 *
 * @example
 * ```ts
 * import { parseJs } from "./_js_parse.ts";
 * import { equal } from "node:assert/strict";
 * const read = parseJs("const x = f(a) / 2 / 3; // not a regex");
 * equal(read.tokens.filter((t) => t.type.label === "regexp").length, 0);
 * equal(read.comments[0]?.text, " not a regex");
 * ```
 *
 * @param code The JavaScript.
 * @returns The tree, the tokens and the comments.
 */
export function parseJs(code: string): ParsedJs {
  const text = String(code);
  if (text.length > MAX_ANALYSED_CHARS) {
    return {
      ast: undefined,
      tokens: [],
      comments: [],
      error:
        `the source has ${text.length} characters, more than the ${MAX_ANALYSED_CHARS} analysed`,
      tooLarge: true,
    };
  }
  let error: string | undefined;
  for (const sourceType of ["module", "script"] as const) {
    const tokens: acorn.Token[] = [];
    const comments: SourceComment[] = [];
    try {
      const ast = acorn.parse(text, {
        ...OPTIONS,
        sourceType,
        onToken: tokens,
        onComment: commentSink(comments),
      });
      return bounded({ ast, tokens, comments, error: undefined, tooLarge: false });
    } catch (e) {
      error ??= String((e as Error)?.message ?? e);
    }
  }
  const tokens: acorn.Token[] = [];
  const comments: SourceComment[] = [];
  try {
    const reader = acorn.tokenizer(text, {
      ...OPTIONS,
      sourceType: "module",
      onComment: commentSink(comments),
    });
    for (;;) {
      const token = reader.getToken();
      if (token.type === acorn.tokTypes.eof) break;
      tokens.push(token);
    }
  } catch {
    // the tokens read so far are what there is
  }
  return bounded({ ast: undefined, tokens, comments, error, tooLarge: false });
}

/** Drops what is longer than {@linkcode MAX_ANALYSED_TOKENS} or nested deeper than {@linkcode MAX_ANALYSED_DEPTH}. */
function bounded(read: ParsedJs): ParsedJs {
  if (read.tokens.length > MAX_ANALYSED_TOKENS) {
    return {
      ast: undefined,
      tokens: [],
      comments: [],
      error:
        `the source has ${read.tokens.length} tokens, more than the ${MAX_ANALYSED_TOKENS} analysed`,
      tooLarge: true,
    };
  }
  const open: string[] = [];
  for (const t of read.tokens) {
    const label = t.type.label;
    if (label === "`" && open[open.length - 1] === "`") open.pop();
    else if (label === "(" || label === "[" || label === "{" || label === "${" || label === "`") {
      open.push(label);
    } else if (label === ")" || label === "]" || label === "}") open.pop();
    const depth = open.length;
    if (depth > MAX_ANALYSED_DEPTH) {
      return {
        ast: undefined,
        tokens: [],
        comments: [],
        error: `the source nests brackets deeper than the ${MAX_ANALYSED_DEPTH} analysed`,
        tooLarge: true,
      };
    }
  }
  return read;
}

function commentSink(comments: SourceComment[]) {
  return (block: boolean, text: string, start: number, end: number) => {
    comments.push({ line: !block, text, start, end });
  };
}

/** Whether a token is a name or a keyword (both are words to the analyses). */
export function isWord(token: acorn.Token): boolean {
  return token.type.label === "name" || token.type.keyword !== undefined;
}

/** A token's value as the parser read it (decoded name or string, cooked template text). */
export function tokenValue(token: acorn.Token): unknown {
  return (token as { value?: unknown }).value;
}

/**
 * Visits every node of a tree, parents before children, without recursion (a tree as deep
 * as a long member chain `a.b.b.b…` cannot overflow the host's stack).
 *
 * @example
 * ```ts
 * import { parseJs, walk } from "./_js_parse.ts";
 * import { equal } from "node:assert/strict";
 * let names = 0;
 * walk(parseJs("a.b.c;").ast!, (node) => void (node.type === "Identifier" && names++));
 * equal(names, 3);
 * ```
 *
 * @param root The tree.
 * @param visit Called with each node and its parent (`undefined` for the root).
 */
export function walk(
  root: acorn.Node,
  visit: (node: acorn.Node, parent: acorn.Node | undefined) => void,
): void {
  const stack: [acorn.Node, acorn.Node | undefined][] = [[root, undefined]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    visit(node, parent);
    const fields = node as unknown as Record<string, unknown>;
    const children: acorn.Node[] = [];
    for (const key of Object.keys(fields)) {
      if (key === "loc") continue;
      const value = fields[key];
      for (const c of Array.isArray(value) ? value : [value]) {
        if (c !== null && typeof c === "object" && typeof (c as acorn.Node).type === "string") {
          children.push(c as acorn.Node);
        }
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, node]);
  }
}
