import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { cliPermissions, modelHost, permissionFlags } from "../experiments/run_permissions.ts";
import { modelOf } from "../cli/launch.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("the launcher takes the model from the flags, then a resumed run's config", async () => {
  deepEqual(await modelOf(["improve", "lpn", "--base-url=http://h:1/v1", "--model", "m"]), {
    baseUrl: "http://h:1/v1",
    model: "m",
  });
  deepEqual(await modelOf(["self-improve", "--base-url", "http://h/v1", "--model=m"]), {
    baseUrl: "http://h/v1",
    model: "m",
  });
  const dir = await Deno.makeTempDir({ prefix: "stop-launch-" });
  try {
    await Deno.writeTextFile(
      `${dir}/config.json`,
      JSON.stringify({ model: "gpt-x", baseUrl: "https://llm.example:8443/v1" }),
    );
    deepEqual(await modelOf(["self-improve", "--resume", dir]), {
      baseUrl: "https://llm.example:8443/v1",
      model: "gpt-x",
    });
    deepEqual(
      await modelOf(["self-improve", "--resume", dir, "--base-url", "http://other/v1"]),
      { baseUrl: "http://other/v1", model: "gpt-x" },
      "a flag wins over the config",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // After `--` nothing is a flag: the environment (if anything) decides.
  const env = await modelOf(["run", "x.ts", "--", "--base-url", "http://h/v1"]);
  equal(env.baseUrl, Deno.env.get("OPENAI_BASE_URL"));
});

Deno.test("the model host is granted exactly: host and port as the URL gives them", () => {
  equal(modelHost({ baseUrl: "http://10.0.0.5:8000/v1" }), "10.0.0.5:8000");
  equal(modelHost({ baseUrl: "https://llm.example/v1" }), "llm.example");
  equal(modelHost({ baseUrl: "https://llm.example:443/v1" }), "llm.example", "default port");
  equal(modelHost({ baseUrl: "http://[::1]:9000/v1" }), "[::1]:9000");
  equal(modelHost({ model: "gpt-4o" }), "api.openai.com", "a real model without a URL");
  equal(modelHost({ model: "offline" }), undefined, "the stand-in needs no host");
  equal(modelHost({}), undefined);
  throws(() => modelHost({ baseUrl: "not a url" }), /not a URL: current value is 'not a url'/);
  throws(() => modelHost({ baseUrl: "ftp://h/v1" }), /not http\(s\)/);
});

Deno.test("the CLI's permissions: read the project, write the runs folder, loopback plus the host", () => {
  const inside = cliPermissions({ projectRoot: ROOT, runsRoot: `${ROOT}/runs/` });
  deepEqual(inside.read, [ROOT]);
  deepEqual(inside.write, [`${ROOT}/runs`]);
  deepEqual(inside.net, ["127.0.0.1", "localhost"]);
  deepEqual(inside.run, []);
  const outside = cliPermissions({ projectRoot: ROOT, runsRoot: "/data/runs", modelHost: "h:1" });
  deepEqual(outside.read, [ROOT, "/data/runs"], "runs elsewhere are read too");
  deepEqual(outside.net, ["127.0.0.1", "localhost", "h:1"]);
  const flags = permissionFlags(outside);
  ok(flags.includes("--no-prompt"));
  ok(flags.includes("--allow-net=127.0.0.1,localhost,h:1"));
  ok(!flags.some((f) => f.startsWith("--allow-run")), "no program may be run");
  ok(!flags.includes("-A") && !flags.includes("--allow-all"));
});

Deno.test("the CLI refuses up front a model host it was not granted, naming the grant", async () => {
  const runs = await Deno.makeTempDir({ prefix: "stop-launch-" });
  try {
    const permissions = cliPermissions({ projectRoot: ROOT, runsRoot: runs });
    const { code, stderr } = await new Deno.Command("deno", {
      args: [
        "run",
        ...permissionFlags(permissions),
        "cli/main.ts",
        "improve",
        "lpn",
        "--model",
        "gpt-x",
        "--base-url",
        "http://192.0.2.1:9/v1",
      ],
      cwd: ROOT,
      env: { STOP_RUNS_DIR: runs, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stderr);
    equal(code, 2, text);
    match(text, /Cannot reach the model at '192\.0\.2\.1:9'/);
    match(text, /deno task stop/);
  } finally {
    await Deno.remove(runs, { recursive: true });
  }
});
