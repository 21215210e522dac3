import { deepEqual, equal } from "node:assert/strict";
import { readErrorBody } from "./error_body.ts";

Deno.test("readErrorBody() reads the message of every body shape seen in practice", async (t) => {
  await t.step("OpenAI's envelope with param and code", () => {
    const body = readErrorBody(
      400,
      JSON.stringify({
        error: {
          message: "Unsupported parameter: 'max_tokens' is not supported with this model.",
          type: "invalid_request_error",
          param: "max_tokens",
          code: "unsupported_parameter",
        },
      }),
    );
    equal(body.message, "Unsupported parameter: 'max_tokens' is not supported with this model.");
    equal(body.param, "max_tokens");
    equal(body.code, "unsupported_parameter");
  });
  await t.step("vLLM's flat object", () => {
    const body = readErrorBody(
      400,
      '{"object":"error","message":"This model\'s maximum context length is 4096 tokens.","type":"BadRequestError","param":null,"code":400}',
    );
    equal(body.message, "This model's maximum context length is 4096 tokens.");
    equal(body.type, "BadRequestError");
    equal(body.code, "400");
    equal(body.param, undefined);
  });
  await t.step("llama.cpp's envelope with numeric code and context fields", () => {
    const body = readErrorBody(
      400,
      '{"error":{"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error","n_prompt_tokens":9000,"n_ctx":8192}}',
    );
    equal(body.message, "the request exceeds the available context size");
    equal(body.contextTokens, 8192);
    equal(body.promptTokens, 9000);
  });
  await t.step("Azure's content filter with innererror", () => {
    const body = readErrorBody(
      400,
      JSON.stringify({
        error: {
          message: "The response was filtered due to the prompt triggering the policy.",
          type: null,
          param: "prompt",
          code: "content_filter",
          status: 400,
          innererror: {
            code: "ResponsibleAIPolicyViolation",
            content_filter_result: {
              hate: { filtered: false, severity: "safe" },
              jailbreak: { filtered: true, detected: true },
            },
          },
        },
      }),
    );
    equal(body.code, "content_filter");
    equal(body.innerCode, "ResponsibleAIPolicyViolation");
    deepEqual(body.filtered, ["jailbreak"]);
    equal(body.type, undefined);
  });
  await t.step("OpenRouter's with metadata", () => {
    const body = readErrorBody(
      402,
      JSON.stringify({
        error: {
          message: "This request requires more credits, or fewer max_tokens.",
          code: 402,
          metadata: { provider_name: "Azure", raw: "upstream said no" },
        },
        user_id: "user_1",
      }),
    );
    equal(body.message, "This request requires more credits, or fewer max_tokens.");
    equal(body.upstream, "Azure: upstream said no");
  });
  await t.step("a bare string error, a FastAPI detail, plain text, HTML, nothing", () => {
    equal(readErrorBody(404, '{"error":"model \\"x\\" not found"}').message, 'model "x" not found');
    equal(readErrorBody(422, '{"detail":"Field required"}').message, "Field required");
    equal(readErrorBody(500, "Internal error\n").message, "Internal error");
    equal(
      readErrorBody(
        502,
        "<html><head><style>p{}</style></head><body><h1>502 Bad Gateway</h1></body></html>",
      )
        .message,
      "502 Bad Gateway",
    );
    equal(readErrorBody(503, "").message, "status 503 with no body");
  });
  await t.step("a long body is cut to a preview", () => {
    equal(readErrorBody(500, "x".repeat(5000)).message.length, 201);
  });
});
