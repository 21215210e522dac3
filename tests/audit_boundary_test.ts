/**
 * The audit boundary a self-improvement run writes with each completed step (`auditLines`):
 * resume keeps that many lines of `audit.jsonl` and sets the rest aside, so it must count
 * lines, not the events they stand for.
 */
import { equal } from "node:assert/strict";
import { AuditLog } from "../sandbox/audit_log.ts";
import { EventLog } from "../experiments/event_log.ts";
import { openGateway } from "../cli/model_flags.ts";
import { runSelfImprove } from "../experiments/self_improve_run.ts";
import { splitJsonl } from "../common/jsonl_file.ts";
import { defaultModelFlags, newRunDir, SMALL } from "./small_self_improve_run.ts";

Deno.test({
  name:
    "runSelfImprove() marks the audit boundary in lines when a record stands for several events",
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "stop-audit-boundary-" });
    try {
      const config = { ...SMALL, iterations: 0 };
      const dir = await newRunDir(root, "run", config);
      using audit = new AuditLog({ path: `${dir.path}/audit.jsonl`, run: dir.id });
      const { gateway } = await openGateway(defaultModelFlags(config.seed), dir.path, {
        audit,
        run: dir.id,
      });
      const events = await EventLog.open(`${dir.path}/events.jsonl`);
      let linesAtBaseline = -1;
      try {
        await runSelfImprove({
          config,
          dir,
          gateway,
          events,
          audit,
          onEvent: (event) => {
            // One line that stands for three events, as the sandbox writes repeated attempts.
            if (event.type === "started") {
              audit.record({ kind: "capability_attempt", detail: "read Deno", count: 3 });
            }
            if (event.type === "baseline") {
              linesAtBaseline =
                splitJsonl(Deno.readTextFileSync(`${dir.path}/audit.jsonl`)).lines.length;
            }
          },
        });
      } finally {
        events.close();
      }
      const baseline = events.events.find((e) => e.type === "baseline");
      equal(baseline?.auditLines, linesAtBaseline);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
