import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

interface TreeNode {
  code: string;
  score: number;
  children: TreeNode[];
  expanded: boolean;
}

function bestLeaf(root: TreeNode): TreeNode {
  let best: TreeNode = root;
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!node.expanded && node.score >= best.score) best = node;
    stack.push(...node.children);
  }
  return best;
}

// Best-first tree search: each call expands the most promising unexpanded node into children.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const root: TreeNode = {
    code: initialSolution,
    score: utility(initialSolution),
    children: [],
    expanded: false,
  };
  let best = root;
  for (let i = 0; i < languageModel.budget; i++) {
    const node = bestLeaf(root);
    node.expanded = true;
    const replies = languageModel.prompt(
      "You write fast, correct TypeScript.",
      `Improve this program (score ${node.score}):\n${node.code}\n\n${utility.str}`,
      4,
      0.7,
    );
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const child: TreeNode = { code, score: utility(code), children: [], expanded: false };
      node.children.push(child);
      if (child.score > best.score) best = child;
    }
  }
  return best.code;
}
