import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import { JsonlFile, parseJsonl, readJsonl, splitJsonl } from "./jsonl_file.ts";
import { withTempDir } from "../tests/fakes/temp_dir.ts";

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir("stop-jsonl-", fn);

Deno.test("parseJsonl() never takes a torn final line as a record, even one that parses", () => {
  deepEqual(parseJsonl('{"a":1}\n{"a":'), {
    records: [{ a: 1 }],
    lines: [1],
    corrupt: [],
    torn: '{"a":',
  });
  deepEqual(parseJsonl('{"a":1}\n{"a":2}'), {
    records: [{ a: 1 }],
    lines: [1],
    corrupt: [],
    torn: '{"a":2}',
  });
  // Innocent look-alikes: a final newline, blank lines, a file of one complete line.
  deepEqual(parseJsonl('{"a":1}\n\n{"a":2}\n'), {
    records: [{ a: 1 }, { a: 2 }],
    lines: [1, 3],
    corrupt: [],
    torn: undefined,
  });
  deepEqual(parseJsonl("[]\n").records, [[]]);
});

Deno.test("parseJsonl() reports a corrupt line in the middle with its number, never drops it silently", () => {
  const read = parseJsonl('{"a":1}\n{"a":\n7\n{"a":3}\n', {
    accept: (v): v is { a: number } => typeof v === "object" && v !== null && "a" in v,
  });
  deepEqual(read.records, [{ a: 1 }, { a: 3 }]);
  deepEqual(read.lines, [1, 4]);
  deepEqual(read.corrupt, [
    { line: 2, parsed: false, text: '{"a":' },
    { line: 3, parsed: true, text: "7" },
  ]);
  equal(read.torn, undefined);
});

Deno.test("parseJsonl() reads an empty text, and splitJsonl() a text of blank lines, as nothing", () => {
  deepEqual(parseJsonl(""), { records: [], lines: [], corrupt: [], torn: undefined });
  deepEqual(splitJsonl("\n \n\n"), { lines: [], torn: undefined });
});

Deno.test("readJsonl() reads a missing file as empty and an empty file as empty", async () => {
  await withDir(async (dir) => {
    const empty = { records: [], lines: [], corrupt: [], torn: undefined };
    deepEqual(await readJsonl(`${dir}/missing.jsonl`), empty);
    await Deno.writeTextFile(`${dir}/empty.jsonl`, "");
    deepEqual(await readJsonl(`${dir}/empty.jsonl`), empty);
    await rejects(readJsonl(dir)); // a folder is not a missing file
  });
});

Deno.test("JsonlFile.openSync() cuts a torn final line off, and only that", async (t) => {
  await withDir(async (dir) => {
    const cases: [string, string, string, string | undefined][] = [
      ["a torn line after complete ones", '{"n":1}\n{"n":', '{"n":1}\n', '{"n":'],
      ["a torn line that parses", '{"n":1}\n{"n":9}', '{"n":1}\n', '{"n":9}'],
      ["a file that is one torn line", '{"n":', "", '{"n":'],
      ["a complete file", '{"n":1}\n', '{"n":1}\n', undefined],
      ["an empty file", "", "", undefined],
      [
        "a torn line longer than one read",
        `{"n":1}\n"${"x".repeat(200_000)}`,
        '{"n":1}\n',
        `"${"x".repeat(200_000)}`,
      ],
    ];
    for (const [name, before, after, cut] of cases) {
      await t.step(name, async () => {
        const path = `${dir}/${name.replace(/\W+/g, "-")}.jsonl`;
        await Deno.writeTextFile(path, before);
        const file = JsonlFile.openSync(path);
        try {
          equal(file.cutOff, cut);
          equal(await Deno.readTextFile(path), after);
          file.appendSync({ n: 2 });
        } finally {
          file.closeSync();
        }
        equal(await Deno.readTextFile(path), `${after}{"n":2}\n`);
        deepEqual((await readJsonl(path)).corrupt, []);
      });
    }
  });
});

Deno.test("JsonlFile creates a missing file and appends one line per record, sync and async", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/log.jsonl`;
    const file = await JsonlFile.open(path);
    file.appendSync({ a: "line\nbreak" });
    await Promise.all([file.append({ b: 1 }), file.append({ b: 2 })]);
    await file.close();
    await file.close(); // twice does nothing
    equal(await Deno.readTextFile(path), '{"a":"line\\nbreak"}\n{"b":1}\n{"b":2}\n');
    throws(() => file.appendSync({ c: 1 }), /closed/);
    await rejects(file.append({ c: 1 }), /closed/);
    await rejects(JsonlFile.open(`${dir}/no-such-folder/log.jsonl`), Deno.errors.NotFound);
  });
});

Deno.test("JsonlFile lets several handles append to one file without mixing their lines", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/shared.jsonl`;
    const handles = [0, 1, 2].map(() => JsonlFile.openSync(path));
    try {
      const big = "y".repeat(100_000);
      await Promise.all(
        handles.flatMap((h, i) =>
          Array.from({ length: 20 }, (_, k) => h.append({ writer: i, k, big }))
        ),
      );
      handles[0]!.appendSync({ writer: 0, k: 20, big });
    } finally {
      for (const h of handles) await h.close();
    }
    const read = await readJsonl<{ writer: number; k: number }>(path);
    deepEqual(read.corrupt, []);
    equal(read.torn, undefined);
    equal(read.records.length, 61);
    for (const writer of [0, 1, 2]) {
      const ks = read.records.filter((r) => r.writer === writer).map((r) => r.k);
      deepEqual(ks, Array.from({ length: writer === 0 ? 21 : 20 }, (_, k) => k));
    }
  });
});
