import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

type Node = { code: string; score: number };

// Beam search over programs: keep the three best, expand every one of them each round.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const beamWidth = 3;
  let beam: Node[] = [{ code: initialSolution, score: utility(initialSolution) }];
  for (let depth = 0; depth < languageModel.budget; depth++) {
    const messages = beam.map((node) =>
      `This program scores ${node.score}:\n${node.code}\nScoring:\n${utility.str}\nImprove it.`
    );
    const expansions: Node[] = [];
    for (
      const code of extractCode(languageModel.batchPrompt("You are an expert.", messages, 0.7))
    ) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      expansions.push({ code, score: utility(code) });
    }
    beam = [...beam, ...expansions].sort((a, b) => b.score - a.score).slice(0, beamWidth);
  }
  return beam[0]!.code;
}
