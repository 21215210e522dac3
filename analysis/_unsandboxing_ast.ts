/**
 * The static unsandboxing detector's "can it prove the flag stays on?" pass (private to
 * `improvers/`), on acorn's syntax tree: every use of the utility must be a plain call (or a
 * read of a documented member) whose options the detector can fold to an object with no
 * `useSandbox` or a truthy one. Whatever it cannot follow (options from a parameter, a call,
 * a Proxy, a mutated or spread object, a key built at run time, the utility handed on, bound,
 * called through `call`/`apply`/`Reflect.apply`, a `with` statement) is a reason to say
 * "undecided", which the dynamic check then settles.
 *
 * @module
 */
import type * as acorn from "acorn";
import { walk } from "./_js_parse.ts";
import { Builtin, truthy, UNKNOWN, type Value } from "./_unsandboxing_tokens.ts";

/** Something the detector could not follow, with where it is. */
export interface Undecided {
  /** Short rule id, e.g. `options-unknown`, `utility-escapes`, `with`. */
  rule: string;
  /** What it could not follow, for people. */
  detail: string;
  /** 1-based line. */
  line: number;
}

/** Works out the constant value of an expression node ({@linkcode UNKNOWN} when it cannot). */
export type Fold = (node: acorn.Node) => Value;

/** Members of the utility an improver may read without the detector losing track of it. */
const READ_MEMBERS = new Set(["budget", "uses", "str", "length", "name"]);

type AnyNode = acorn.Node & Record<string, unknown>;

/**
 * Finds what keeps the detector from proving that every utility call is sandboxed.
 *
 * @param ast The program's tree.
 * @param fold The constant folder.
 * @param utilityNames Names the utility goes by (its parameter and plain aliases).
 * @returns The reasons, in source order (empty when every use is provably sandboxed).
 */
export function undecidedUses(
  ast: acorn.Program,
  fold: Fold,
  utilityNames: ReadonlySet<string>,
): Undecided[] {
  const parents = new Map<acorn.Node, AnyNode>();
  const identifiers = new Map<string, acorn.Identifier[]>();
  const declarators = new Map<string, acorn.VariableDeclarator[]>();
  const out: Undecided[] = [];
  const seen = new Set<string>();
  const add = (node: acorn.Node, rule: string, detail: string) => {
    const line = node.loc?.start.line ?? 1;
    if (seen.has(`${rule}:${line}`)) return;
    seen.add(`${rule}:${line}`);
    out.push({ rule, detail, line });
  };

  // One pass: parents, identifiers by name, declarations by name, `with`.
  walk(ast, (node, parent) => {
    if (parent !== undefined) parents.set(node, parent as AnyNode);
    if (node.type === "Identifier") {
      const name = (node as acorn.Identifier).name;
      const list = identifiers.get(name) ?? [];
      list.push(node as acorn.Identifier);
      identifiers.set(name, list);
    } else if (node.type === "VariableDeclarator") {
      const d = node as acorn.VariableDeclarator;
      if (d.id.type === "Identifier") {
        const list = declarators.get(d.id.name) ?? [];
        list.push(d);
        declarators.set(d.id.name, list);
      }
    } else if (node.type === "WithStatement") {
      add(node, "with", "a `with` statement can rebind any name, the utility and its options too");
    }
  });

  /** Whether the identifier is a name being declared or a property key (not a reference). */
  const isReference = (id: acorn.Identifier): boolean => {
    const p = parents.get(id);
    if (p === undefined) return true;
    if (p.type === "MemberExpression" && p.property === id && !p.computed) return false;
    if (p.type === "Property" && p.key === id && !p.computed && p.value !== id) return false;
    if (p.type === "MethodDefinition" || p.type === "PropertyDefinition") return p.key !== id;
    if (p.type === "VariableDeclarator" && p.id === id) return false;
    if (
      (p.type === "FunctionDeclaration" || p.type === "FunctionExpression" ||
        p.type === "ArrowFunctionExpression") &&
      (p.id === id || (p.params as unknown[]).includes(id))
    ) return false;
    return !(p.type === "LabeledStatement" || p.type === "BreakStatement" ||
      p.type === "ContinueStatement");
  };

  /** The one constant initializer of `name`, when it has exactly one declaration and no writes. */
  const constantInit = (name: string): acorn.Expression | undefined => {
    const ds = declarators.get(name) ?? [];
    if (ds.length !== 1 || !ds[0]!.init) return undefined;
    const declaration = parents.get(ds[0]!) as unknown as acorn.VariableDeclaration | undefined;
    if (declaration?.kind !== "const") return undefined;
    return ds[0]!.init;
  };

  /**
   * Whether every reference to the options object `name` only reads it: passed as the
   * utility's options, spread, or read as `name.x`. Writes, computed keys, `for…in`,
   * `Object.assign(name, …)` or handing it on leave it unknown.
   */
  const onlyRead = (name: string): boolean => {
    for (const id of identifiers.get(name) ?? []) {
      if (!isReference(id)) continue;
      const p = parents.get(id);
      if (p === undefined) return false;
      if (p.type === "SpreadElement") continue;
      if (p.type === "CallExpression" && (p.arguments as unknown[])[1] === id) {
        const callee = p.callee as acorn.Node;
        if (callee.type === "Identifier" && utilityNames.has((callee as acorn.Identifier).name)) {
          continue;
        }
      }
      if (p.type === "MemberExpression" && p.object === id && !p.computed) {
        const gp = parents.get(p);
        const written = (gp?.type === "AssignmentExpression" && gp.left === p) ||
          gp?.type === "UpdateExpression" ||
          (gp?.type === "UnaryExpression" && gp.operator === "delete");
        if (!written) continue;
      }
      return false;
    }
    return true;
  };

  /** Checks a utility call's options; `undefined` when provably sandboxed, else the reason. */
  const checkOptions = (node: acorn.Node, depth: number): string | undefined => {
    if (depth > 20) return "options nested too deeply to follow";
    switch (node.type) {
      case "Identifier": {
        const name = (node as acorn.Identifier).name;
        if (name === "undefined") return undefined;
        const init = constantInit(name);
        if (init === undefined) {
          return `the options '${name}' are not a constant the detector can follow`;
        }
        if (!onlyRead(name)) {
          return `the options '${name}' are changed or handed on after they are made`;
        }
        return checkOptions(init, depth + 1);
      }
      case "ObjectExpression": {
        for (const p of (node as acorn.ObjectExpression).properties) {
          if (p.type === "SpreadElement") {
            const why = checkSpread(p.argument, depth);
            if (why !== undefined) return why;
            continue;
          }
          let key: Value;
          if (p.computed) key = fold(p.key);
          else if (p.key.type === "Identifier") key = p.key.name;
          else if (p.key.type === "Literal") key = String(p.key.value);
          else key = UNKNOWN;
          if (key === UNKNOWN) return "an option's name is computed at run time";
          if (key !== "useSandbox") continue;
          if (p.kind !== "init") return "useSandbox is an accessor";
          const value = fold(p.value);
          if (value === UNKNOWN) return "the useSandbox value is computed at run time";
          if (!(value === undefined || truthy(value))) return undefined; // provably off: other pass
        }
        return undefined;
      }
      case "ConditionalExpression": {
        const c = node as acorn.ConditionalExpression;
        return checkOptions(c.consequent, depth + 1) ?? checkOptions(c.alternate, depth + 1);
      }
      case "Literal":
        return undefined; // not an object: the default (sandboxed) applies
      default: {
        const value = fold(node);
        if (isRecord(value)) return flagOf(value);
        return `the options come from ${describeNode(node)}, which the detector cannot follow`;
      }
    }
  };

  const checkSpread = (argument: acorn.Node, depth: number): string | undefined => {
    if (argument.type === "Identifier" || argument.type === "ObjectExpression") {
      return checkOptions(argument, depth + 1);
    }
    const value = fold(argument);
    if (isRecord(value)) return flagOf(value);
    if (value === null || value === undefined) return undefined;
    return `options spread from ${describeNode(argument)}, which the detector cannot follow`;
  };

  // Every reference to the utility.
  for (const name of utilityNames) {
    for (const id of identifiers.get(name) ?? []) {
      if (!isReference(id)) continue;
      const p = parents.get(id);
      if (p === undefined) continue;
      if (p.type === "CallExpression" && p.callee === id) {
        const args = p.arguments as acorn.Node[];
        if (args.some((a) => a.type === "SpreadElement")) {
          add(p, "options-unknown", `${name}(...) called with spread arguments`);
          continue;
        }
        const options = args[1];
        if (options === undefined) continue;
        const why = checkOptions(options, 0);
        if (why !== undefined) add(p, "options-unknown", why);
        continue;
      }
      if (p.type === "MemberExpression" && p.object === id) {
        const member = !p.computed && (p.property as acorn.Node).type === "Identifier"
          ? (p.property as acorn.Identifier).name
          : fold(p.property as acorn.Node);
        const gp = parents.get(p);
        const written = gp?.type === "AssignmentExpression" && gp.left === p;
        if (typeof member === "string" && READ_MEMBERS.has(member) && !written) continue;
        // utility.call(self, source, options) and utility.apply(self, [source, options]).
        if (
          (member === "call" || member === "apply") && gp?.type === "CallExpression" &&
          gp.callee === p
        ) {
          const args = gp.arguments as acorn.Node[];
          let options: acorn.Node | null | undefined;
          let followed = !args.some((a) => a.type === "SpreadElement");
          if (member === "call") options = args[2];
          else if (args[1] === undefined) options = undefined;
          else if (args[1].type === "ArrayExpression") {
            const elements = (args[1] as acorn.ArrayExpression).elements;
            followed &&= !elements.some((e) => e?.type === "SpreadElement");
            options = elements[1];
          } else followed = false;
          if (!followed) {
            add(
              gp,
              "options-unknown",
              `${name}.${member}(...) with arguments the detector cannot follow`,
            );
          } else if (options) {
            const why = checkOptions(options, 0);
            if (why !== undefined) add(gp, "options-unknown", why);
          }
          continue;
        }
        if (member === "useSandbox" || written) continue; // the other pass judges writes
        add(
          p,
          "utility-escapes",
          `${name}.${
            typeof member === "string" ? member : "[…]"
          } is used: calls through call, apply or bind, or other members, are not followed`,
        );
        continue;
      }
      if (p.type === "VariableDeclarator" && p.init === id) continue; // a plain alias
      if (p.type === "ChainExpression" || p.type === "AwaitExpression") continue;
      add(
        id,
        "utility-escapes",
        `the utility '${name}' is handed on or stored where the detector cannot follow it`,
      );
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

function isRecord(value: Value): value is { [key: string]: Value } {
  return value !== null && typeof value === "object" && !Array.isArray(value) &&
    !(value instanceof Builtin);
}

function flagOf(value: { [key: string]: Value }): string | undefined {
  if (!Object.hasOwn(value, "useSandbox")) return undefined;
  const flag = value.useSandbox!;
  if (flag === UNKNOWN) return "the useSandbox value is computed at run time";
  return undefined; // truthy: on; falsy: the other pass reports it as off
}

function describeNode(node: acorn.Node): string {
  switch (node.type) {
    case "CallExpression":
      return "a function call";
    case "NewExpression":
      return "a constructor (a Proxy, say)";
    case "MemberExpression":
      return "a member read";
    default:
      return `a ${node.type}`;
  }
}
