/*
 * stop_sandbox.c — the guest side of the stop sandbox.
 *
 * An Extism plugin that embeds QuickJS. The host calls two exports:
 *
 *   load  input: {"source", "helpers", "prelude", "seed", "heapBytes", "stackBytes",
 *                  "timeoutMs", "logBytes", "outputBytes"}
 *         evaluates the trusted bootstrap, the trusted prelude, then the program module.
 *   call  input: {"export", "args", "timeoutMs", "adapter"}
 *         calls one export of the program with JSON arguments.
 *
 * Both answer with one JSON envelope:
 *   {"ok":true, "guestMs":n, "meta":{"logs":[..],"audit":[..],"logOverflow":b}, "value":<json>}
 *   {"ok":false,"guestMs":n, "meta":{...}, "kind":"timeout"|..., "message":"..."}
 * where guestMs is virtual time (see "the virtual clock" below), never the wall clock.
 *
 * Nothing here trusts the program: time is bounded by the interrupt handler, the heap by
 * QuickJS's memory limit (and the module's declared maximum memory below it), the stack by
 * QuickJS's stack limit, output and logs by byte caps. Only "./helpers.ts" resolves as a
 * module; every other specifier is refused and reported. Host calls go through one import,
 * `extism:host/user` `stop_host_call`, reachable only from the trusted prelude.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wasi/api.h>

#include "quickjs.h"

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

typedef uint64_t extism_ptr;

IMPORT("extism:host/env", "input_length") extern uint64_t extism_input_length(void);
IMPORT("extism:host/env", "input_load_u8") extern uint8_t extism_input_load_u8(extism_ptr);
IMPORT("extism:host/env", "input_load_u64") extern uint64_t extism_input_load_u64(extism_ptr);
IMPORT("extism:host/env", "alloc") extern extism_ptr extism_alloc(uint64_t);
IMPORT("extism:host/env", "length") extern uint64_t extism_length(extism_ptr);
IMPORT("extism:host/env", "free") extern void extism_free(extism_ptr);
IMPORT("extism:host/env", "store_u8") extern void extism_store_u8(extism_ptr, uint8_t);
IMPORT("extism:host/env", "load_u8") extern uint8_t extism_load_u8(extism_ptr);
IMPORT("extism:host/env", "store_u64") extern void extism_store_u64(extism_ptr, uint64_t);
IMPORT("extism:host/env", "load_u64") extern uint64_t extism_load_u64(extism_ptr);
IMPORT("extism:host/env", "output_set") extern void extism_output_set(extism_ptr, uint64_t);
IMPORT("extism:host/user", "stop_host_call") extern extism_ptr stop_host_call(extism_ptr);

/* The audit counts every event by kind, without a cap; the detail is itemised per kind, at
 * most MAX_ITEMS distinct details each (a repeated detail only raises its count), so no kind
 * can crowd out another. Within a kind, details that matter more than the rest (a module
 * request that would run code) have MAX_RESERVED items of their own that the others never
 * fill, so a flood of harmless details cannot crowd them out either. */
#define MAX_KINDS 24
#define MAX_ITEMS 64
#define MAX_RESERVED 16
#define MAX_DETAIL 300

/* ---- state of this instance (one program per instance) ---- */
static JSRuntime *rt;
static JSContext *ctx;
static JSValue program_ns;     /* the program's module namespace */
static JSValue adapters;       /* object returned by the prelude */
static JSValue settle_fn;      /* trusted: (value, onOk, onErr) => attaches handlers if thenable */
static uint64_t log_bytes, log_limit = 65536, output_limit = 8 << 20;
static int log_overflow;
static double default_timeout_ms = 1000;
static int64_t deadline_units = INT64_MAX;
static int timed_out;
static uint64_t rng_state[2];
static int settled_state; /* 0 pending, 1 fulfilled, 2 rejected */
static JSValue settled_value;
static char *helpers_source;
static char *program_source;

/* ---- the virtual clock ----
 * Time in the guest is a count of its work, never the wall clock: the patched interpreter
 * counts every bytecode instruction it executes and every call it makes (of bytecode or
 * native functions), and the work is instructions + STOP_UNITS_PER_CALL × calls units, each
 * STOP_VIRTUAL_PS_PER_UNIT virtual picoseconds (both set in build_config.ts). Deadlines,
 * reported guest time, Date.now(), new Date() and performance.now() all derive from that
 * count, from 0 when the program's load starts, so they are the same on any machine under any
 * load. Instructions are counted a basic block at a time, when the block ends (a taken jump,
 * a call, an exception, a yield or await, the frame's exit), from a per-function index of
 * instruction starts: the totals equal a count at every dispatch, at a few operations per
 * block instead of a memory add per instruction; a clock read or deadline check sees every
 * block up to the current call (other ways into native code, a getter say, may see the
 * current block's instructions a little later, at the same point on every run). Deadlines are checked where QuickJS polls its interrupt handler (every 10000 calls and
 * backward branches, and right after an error's backtrace): that point, too, is a function of
 * the program alone. Native built-ins charge the work they do (regular expression steps,
 * characters compared, elements touched, sort comparisons, BigInt limb products, allocations
 * and their bytes, objects created, promise jobs, numbers formatted; the units are beside
 * QUICKJS_PATCHES in build_config.ts) and check the deadline
 * as they charge (JS_SetMeterDeadline), so an endless regex, join or search ends in the same
 * timeout; a BigInt operation past the deadline fails at its next allocation. A host call costs no virtual time beyond the guest
 * work around it. */
#if !defined(STOP_VIRTUAL_PS_PER_UNIT) || !defined(STOP_UNITS_PER_CALL)
#error "STOP_VIRTUAL_PS_PER_UNIT and STOP_UNITS_PER_CALL must be defined by the build"
#endif
/* Date.now() at the start of the load: 2024-01-01T00:00:00Z. */
#define VIRTUAL_EPOCH_NS 1704067200000000000ull

/* The counts when the load started: the warm-up of a pooled instance is not the program's. */
static int64_t instructions_base, calls_base, native_base;

static int64_t instructions_now(void) { return JS_GetInstructionCount() - instructions_base; }
static int64_t calls_now(void) { return JS_GetCallCount() - calls_base; }
static int64_t native_now(void) { return JS_GetNativeCount() - native_base; }
static int64_t meter_now(void) {
  return ctx ? instructions_now() + (int64_t)STOP_UNITS_PER_CALL * calls_now() + native_now() : 0;
}

/* The raw counts when the current load or call started, reported beside its guest time. */
static int64_t work_instructions0, work_calls0, work_native0;
static void mark_work(void) {
  work_instructions0 = ctx ? instructions_now() : 0;
  work_calls0 = ctx ? calls_now() : 0;
  work_native0 = ctx ? native_now() : 0;
}

static uint64_t virtual_ns(void) {
  return (uint64_t)meter_now() * STOP_VIRTUAL_PS_PER_UNIT / 1000;
}

static int64_t units_for_ms(double ms) {
  double units = ms * 1e9 / STOP_VIRTUAL_PS_PER_UNIT;
  return !(units < 9e18) ? INT64_MAX : units < 0 ? 0 : (int64_t)units;
}

/* The meter reading at which a limit of `ms` virtual milliseconds from now is passed. */
static int64_t deadline_after(double ms) {
  int64_t now = meter_now(), span = units_for_ms(ms);
  return span > INT64_MAX - now ? INT64_MAX : now + span;
}

/* Sets the deadline, here and in the patched engine, whose native built-ins check it as they
 * charge their work (a raw reading of its counters, from before the load's bases). */
static void set_deadline(int64_t units) {
  deadline_units = units;
  int64_t base = instructions_base + (int64_t)STOP_UNITS_PER_CALL * calls_base + native_base;
  JS_SetMeterDeadline(units > INT64_MAX - base ? INT64_MAX : units + base);
}

static double units_to_ms(int64_t units) {
  return (double)units * STOP_VIRTUAL_PS_PER_UNIT / 1e9;
}

/* The five WASI calls wasi-libc needs are defined here, so the module imports nothing from
 * wasi_snapshot_preview1 and the host needs no WASI at all. The clock is the virtual one
 * (gettimeofday and clock_gettime, hence Date, read it); the file descriptors are a sink
 * with no files behind it (stdio writes are dropped, nothing can be opened). */
int32_t __imported_wasi_snapshot_preview1_clock_time_get(int32_t id, int64_t precision,
                                                          int32_t out) {
  (void)precision;
  uint64_t t = virtual_ns();
  if (id == __WASI_CLOCKID_REALTIME) t += VIRTUAL_EPOCH_NS;
  *(uint64_t *)(uintptr_t)out = t;
  return __WASI_ERRNO_SUCCESS;
}
int32_t __imported_wasi_snapshot_preview1_fd_write(int32_t fd, int32_t iovs, int32_t iovs_len,
                                                    int32_t out) {
  (void)fd;
  const __wasi_ciovec_t *v = (const __wasi_ciovec_t *)(uintptr_t)iovs;
  size_t total = 0;
  for (int32_t i = 0; i < iovs_len; i++) total += v[i].buf_len;
  *(size_t *)(uintptr_t)out = total;
  return __WASI_ERRNO_SUCCESS;
}
int32_t __imported_wasi_snapshot_preview1_fd_close(int32_t fd) {
  (void)fd;
  return __WASI_ERRNO_SUCCESS;
}
int32_t __imported_wasi_snapshot_preview1_fd_fdstat_get(int32_t fd, int32_t out) {
  (void)fd;
  (void)out;
  return __WASI_ERRNO_BADF;
}
int32_t __imported_wasi_snapshot_preview1_fd_seek(int32_t fd, int64_t offset, int32_t whence,
                                                   int32_t out) {
  (void)fd;
  (void)offset;
  (void)whence;
  (void)out;
  return __WASI_ERRNO_SPIPE;
}

/* performance.now(): virtual milliseconds since the instance started. */
static JSValue js_performance_now(JSContext *c, JSValueConst this_val, int argc,
                                  JSValueConst *argv) {
  return JS_NewFloat64(c, (double)virtual_ns() / 1e6);
}

/* ---- Extism I/O ---- */
static char *read_input(uint64_t *len_out) {
  uint64_t len = extism_input_length();
  char *buf = malloc(len + 1);
  if (!buf) return NULL;
  uint64_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w = extism_input_load_u64(i);
    memcpy(buf + i, &w, 8);
  }
  for (; i < len; i++) buf[i] = (char)extism_input_load_u8(i);
  buf[len] = 0;
  *len_out = len;
  return buf;
}

static extism_ptr store_block(const char *data, uint64_t len) {
  extism_ptr p = extism_alloc(len);
  uint64_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, data + i, 8);
    extism_store_u64(p + i, w);
  }
  for (; i < len; i++) extism_store_u8(p + i, (uint8_t)data[i]);
  return p;
}

static char *load_block(extism_ptr p, uint64_t *len_out) {
  uint64_t len = extism_length(p);
  char *buf = malloc(len + 1);
  if (!buf) return NULL;
  uint64_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w = extism_load_u64(p + i);
    memcpy(buf + i, &w, 8);
  }
  for (; i < len; i++) buf[i] = (char)extism_load_u8(p + i);
  buf[len] = 0;
  *len_out = len;
  return buf;
}

static void set_output(const char *data, uint64_t len) {
  extism_ptr p = store_block(data, len);
  extism_output_set(p, len);
}

/* ---- a tiny growable string buffer for envelopes ---- */
typedef struct {
  char *data;
  size_t len, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return; /* envelope stays short; host reports bad output */
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}
static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* JSON-quote a C string (bytes >= 0x80 pass through; control characters escaped). */
static void sb_quote(sbuf *b, const char *s, size_t n) {
  sb_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      sb_put(b, esc, 2);
    } else if (c < 0x20 || c == 0x7f) {
      static const char hex[] = "0123456789abcdef";
      esc[0] = '\\';
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      sb_put(b, esc, 6);
    } else {
      sb_put(b, (const char *)&c, 1);
    }
  }
  sb_put(b, "\"", 1);
}

/* ---- audit and logs ----
 * Kept as JSON text in C buffers, never as JS objects: the program can patch every
 * prototype and `toJSON`, so nothing it could reach may hold or serialise its audit trail. */
static sbuf logs_json;  /* the elements of the "logs" array: "line","line" */
static int log_count;

typedef struct {
  char *detail;
  size_t len;
  uint64_t count;
} audit_item;

typedef struct {
  char name[32];
  uint64_t total;
  int n_items;    /* itemised details, reserved ones included */
  int n_reserved; /* of which reserved */
  audit_item items[MAX_ITEMS + MAX_RESERVED];
} audit_kind;

static audit_kind audit_kinds[MAX_KINDS];
static int audit_kind_count;

static void audit_reset(void) {
  for (int k = 0; k < audit_kind_count; k++) {
    for (int i = 0; i < audit_kinds[k].n_items; i++) free(audit_kinds[k].items[i].detail);
  }
  memset(audit_kinds, 0, sizeof audit_kinds);
  audit_kind_count = 0;
}

/* Whether a refused module request would have run code: a URL or path, or a Node module that
 * evaluates or spawns. Mirrors classifyModuleSpecifier (analysis/_unsandboxing_static.ts),
 * which the host uses to judge it; a test checks they agree. Used only to itemise these
 * requests apart from harmless ones. */
static int module_runs_code(const char *name) {
  static const char *schemes[] = {"data:", "blob:", "http:", "https:", "file:", "npm:", "jsr:"};
  static const char *modules[] = {"vm",     "child_process", "worker_threads", "cluster",
                                  "repl",   "module",        "inspector",      "wasi"};
  /* The host trims Unicode white space too: skipping any non-ASCII byte as well only ever
   * reserves more. */
#define TRIMMED(ch) ((ch) == ' ' || ((ch) >= '\t' && (ch) <= '\r') || (unsigned char)(ch) >= 0x80)
  while (TRIMMED(*name)) name++;
  for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
    if (strncasecmp(name, schemes[i], strlen(schemes[i])) == 0) return 1;
  }
  if (name[0] == '.' || name[0] == '/') return 1;
  if (strncmp(name, "node:", 5) == 0) name += 5;
  size_t len = 0;
  while (name[len] && name[len] != '/' && !TRIMMED(name[len])) len++;
#undef TRIMMED
  for (size_t i = 0; i < sizeof modules / sizeof *modules; i++) {
    if (strlen(modules[i]) == len && strncmp(name, modules[i], len) == 0) return 1;
  }
  return 0;
}

static void audit_add_item(const char *kind, const char *detail, size_t detail_len,
                           int reserved) {
  size_t klen = strlen(kind);
  if (klen >= sizeof audit_kinds[0].name) klen = sizeof audit_kinds[0].name - 1;
  audit_kind *slot = NULL;
  for (int k = 0; k < audit_kind_count && !slot; k++) {
    if (strncmp(audit_kinds[k].name, kind, klen) == 0 && audit_kinds[k].name[klen] == 0) {
      slot = &audit_kinds[k];
    }
  }
  if (!slot) {
    /* Kinds come from this file and the trusted bootstrap only; the last slot takes any
     * excess so that nothing goes uncounted. */
    slot = &audit_kinds[audit_kind_count < MAX_KINDS ? audit_kind_count++ : MAX_KINDS - 1];
    if (!slot->name[0]) memcpy(slot->name, kind, klen);
  }
  slot->total++;
  if (detail_len > MAX_DETAIL) detail_len = MAX_DETAIL;
  for (int i = 0; i < slot->n_items; i++) {
    audit_item *it = &slot->items[i];
    if (it->len == detail_len && memcmp(it->detail, detail, detail_len) == 0) {
      it->count++;
      return;
    }
  }
  /* Counted in total, not itemised: past MAX_ITEMS ordinary or MAX_RESERVED reserved ones. */
  if (reserved ? slot->n_reserved >= MAX_RESERVED : slot->n_items - slot->n_reserved >= MAX_ITEMS) {
    return;
  }
  char *copy = malloc(detail_len + 1);
  if (!copy) return;
  memcpy(copy, detail, detail_len);
  copy[detail_len] = 0;
  slot->items[slot->n_items++] = (audit_item){copy, detail_len, 1};
  if (reserved) slot->n_reserved++;
}

static void audit_add(const char *kind, const char *detail, size_t detail_len) {
  audit_add_item(kind, detail, detail_len, 0);
}

/* The "audit" array ([kind, detail, count] items) and the "auditCounts" object of the meta. */
static void append_audit(sbuf *b) {
  char num[32];
  int first = 1;
  sb_str(b, "\"audit\":[");
  for (int k = 0; k < audit_kind_count; k++) {
    audit_kind *slot = &audit_kinds[k];
    for (int i = 0; i < slot->n_items; i++) {
      if (!first) sb_put(b, ",", 1);
      first = 0;
      sb_put(b, "[", 1);
      sb_quote(b, slot->name, strlen(slot->name));
      sb_put(b, ",", 1);
      sb_quote(b, slot->items[i].detail, slot->items[i].len);
      snprintf(num, sizeof num, ",%llu]", (unsigned long long)slot->items[i].count);
      sb_str(b, num);
    }
  }
  sb_str(b, "],\"auditCounts\":{");
  for (int k = 0; k < audit_kind_count; k++) {
    if (k) sb_put(b, ",", 1);
    sb_quote(b, audit_kinds[k].name, strlen(audit_kinds[k].name));
    snprintf(num, sizeof num, ":%llu", (unsigned long long)audit_kinds[k].total);
    sb_str(b, num);
  }
  sb_str(b, "}");
}

static JSValue js_audit(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  size_t klen = 0, dlen = 0;
  const char *kind = argc > 0 ? JS_ToCStringLen(c, &klen, argv[0]) : NULL;
  const char *detail = argc > 1 ? JS_ToCStringLen(c, &dlen, argv[1]) : NULL;
  if (kind) audit_add(kind, detail ? detail : "", detail ? dlen : 0);
  JS_FreeCString(c, kind);
  JS_FreeCString(c, detail);
  return JS_UNDEFINED;
}

static JSValue js_console_log(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  sbuf line = {0};
  for (int i = 0; i < argc; i++) {
    size_t n;
    const char *s = JS_ToCStringLen(c, &n, argv[i]);
    if (!s) return JS_EXCEPTION;
    if (i) sb_put(&line, " ", 1);
    sb_put(&line, s, n);
    JS_FreeCString(c, s);
    if (line.len > log_limit) break;
  }
  if (log_bytes + line.len + 1 > log_limit) {
    if (!log_overflow) audit_add("log_overflow", "console output exceeded the log limit", 37);
    log_overflow = 1;
  } else {
    if (log_count++) sb_put(&logs_json, ",", 1);
    sb_quote(&logs_json, line.data ? line.data : "", line.len);
    log_bytes += line.len + 1;
  }
  free(line.data);
  return JS_UNDEFINED;
}

/* Seeded Math.random (xorshift128+), so programs are reproducible. */
static double next_random(void) {
  uint64_t s1 = rng_state[0];
  const uint64_t s0 = rng_state[1];
  rng_state[0] = s0;
  s1 ^= s1 << 23;
  rng_state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
  return (double)((rng_state[1] + s0) >> 11) * (1.0 / 9007199254740992.0);
}
static JSValue js_random(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  return JS_NewFloat64(c, next_random());
}
static void seed_random(uint64_t seed) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 2; i++) {
    z += 0x9E3779B97F4A7C15ull;
    uint64_t x = z;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    rng_state[i] = x ^ (x >> 31);
  }
  if (!rng_state[0] && !rng_state[1]) rng_state[0] = 1;
}

static void check_global_trap(void);

/* ---- host calls: host(name, payloadJson) -> resultJson (trusted prelude only) ---- */
static JSValue js_host_call(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  size_t nlen = 0, plen = 0;
  const char *name = argc > 0 ? JS_ToCStringLen(c, &nlen, argv[0]) : NULL;
  if (!name) return JS_ThrowTypeError(c, "host call needs a function name");
  if (memchr(name, '\n', nlen)) {
    /* The host splits the request at the first newline: a name must not carry a payload. */
    JS_FreeCString(c, name);
    audit_add("host_call_misuse", "host function name contains a newline", 37);
    return JS_NewString(c, "{\"ok\":false,\"error\":\"a host function name cannot contain a newline\"}");
  }
  const char *payload = argc > 1 ? JS_ToCStringLen(c, &plen, argv[1]) : NULL;
  sbuf req = {0};
  sb_put(&req, name, nlen);
  sb_put(&req, "\n", 1);
  if (payload) sb_put(&req, payload, plen);
  JS_FreeCString(c, name);
  JS_FreeCString(c, payload);
  extism_ptr in = store_block(req.data ? req.data : "", req.len);
  free(req.data);
  check_global_trap();
  extism_ptr out = stop_host_call(in); /* costs no virtual time: the clock counts guest work */
  extism_free(in);
  if (!out) return JS_ThrowInternalError(c, "host call failed");
  uint64_t olen = 0;
  char *res = load_block(out, &olen);
  extism_free(out);
  if (!res) return JS_ThrowOutOfMemory(c);
  JSValue v = JS_NewStringLen(c, res, olen);
  free(res);
  return v;
}

/* ---- heap accounting ----
 * QuickJS's default allocator with its limit, plus a count of refused allocations. When the
 * heap is so full that QuickJS cannot even build its "out of memory" error, it throws `null`
 * instead (and some built-ins fail with no exception at all); the count tells that apart from
 * a program that throws `null` itself. */
/* Each block carries, in a header, the size QuickJS asked for, and that size is all the heap's
 * accounting and QuickJS ever see of it (heap_usable_size): what malloc_usable_size would say
 * depends on the allocator's rounding (a wasi-libc release), and QuickJS decides with it when
 * to collect garbage, when the heap limit is reached and when a string or array has room to
 * grow in place, so with it the work the meter counts and the point a program runs out of
 * memory could differ between two builds of the same sources. The header keeps malloc's
 * alignment (16 bytes), and the accounting counts it with the allocator's own overhead. */
#define HEAP_HEADER 16
#define HEAP_OVERHEAD (8 + HEAP_HEADER)
static inline void *heap_user(void *raw) { return (char *)raw + HEAP_HEADER; }
static inline void *heap_raw(const void *p) { return (char *)p - HEAP_HEADER; }
static inline size_t heap_size(const void *p) { return *(const size_t *)heap_raw(p); }
/* Allocating costs ALLOC_BASE_UNITS (malloc's and free's bookkeeping, which no instruction
 * counts) plus a unit per 32 bytes requested (on top of the work that fills them). A
 * reallocation is charged as an allocation of its new size: the count depends on the sizes
 * QuickJS asks for alone. */
#define ALLOC_BASE_UNITS 16
#define ALLOC_BYTES_PER_UNIT_LOG2 5
#define ALLOC_UNITS(size) (ALLOC_BASE_UNITS + (int64_t)((size) >> ALLOC_BYTES_PER_UNIT_LOG2))
static uint64_t alloc_refused;

static void *heap_malloc(JSMallocState *s, size_t size) {
  if (size > s->malloc_limit || s->malloc_size + size > s->malloc_limit) {
    alloc_refused++;
    return NULL;
  }
  void *raw = malloc(size + HEAP_HEADER);
  if (!raw) {
    alloc_refused++;
    return NULL;
  }
  *(size_t *)raw = size;
  JS_ChargeNativeWork(ALLOC_UNITS(size));
  s->malloc_count++;
  s->malloc_size += size + HEAP_OVERHEAD;
  return heap_user(raw);
}

static void heap_free(JSMallocState *s, void *p) {
  if (!p) return;
  s->malloc_count--;
  s->malloc_size -= heap_size(p) + HEAP_OVERHEAD;
  free(heap_raw(p));
}

static void *heap_realloc(JSMallocState *s, void *p, size_t size) {
  if (!p) return size ? heap_malloc(s, size) : NULL;
  size_t old = heap_size(p);
  if (!size) {
    heap_free(s, p);
    return NULL;
  }
  if (size > s->malloc_limit || s->malloc_size + size - old > s->malloc_limit) {
    alloc_refused++;
    return NULL;
  }
  void *raw = realloc(heap_raw(p), size + HEAP_HEADER);
  if (!raw) {
    alloc_refused++;
    return NULL;
  }
  *(size_t *)raw = size;
  JS_ChargeNativeWork(ALLOC_UNITS(size));
  s->malloc_size += size - old;
  return heap_user(raw);
}

static size_t heap_usable_size(const void *p) { return heap_size(p); }

static const JSMallocFunctions HEAP_FUNCTIONS = {heap_malloc, heap_free, heap_realloc,
                                                 heap_usable_size};

/* ---- interrupts ---- */
/* Runs at every 10000th poll (call or backward branch): the point where a call passes its
 * limit is a function of the program alone. */
static int interrupt_handler(JSRuntime *r, void *opaque) {
  if (timed_out) return 1;
  if (meter_now() > deadline_units) {
    timed_out = 1;
    return 1;
  }
  return 0;
}

/* ---- modules: only the program itself and ./helpers.ts ---- */
static char *module_normalize(JSContext *c, const char *base, const char *name, void *opaque) {
  if (strcmp(name, "guest:program") == 0) return js_strdup(c, "guest:program");
  /* Only the capture module may import the sink that takes the program's namespace. */
  if (strcmp(name, "guest:sink") == 0 && strcmp(base, "<capture>") == 0) {
    return js_strdup(c, "guest:sink");
  }
  if (strcmp(name, "./helpers.ts") == 0 || strcmp(name, "./helpers.js") == 0 ||
      strcmp(name, "./helpers") == 0 || strcmp(name, "helpers.ts") == 0) {
    return js_strdup(c, "guest:helpers");
  }
  audit_add_item("module_refused", name, strlen(name), module_runs_code(name));
  JS_ThrowReferenceError(c, "module '%s' is not available in the sandbox: only './helpers.ts' may be imported", name);
  return NULL;
}

/* The sink: a C module whose one export keeps the first namespace it is given. Nothing the
 * program can reach stands between it and the capture module (no global to pre-empt). */
static JSValue js_take_namespace(JSContext *c, JSValueConst this_val, int argc,
                                 JSValueConst *argv) {
  if (argc > 0 && JS_IsUndefined(program_ns) && JS_IsObject(argv[0])) {
    program_ns = JS_DupValue(c, argv[0]);
  }
  return JS_UNDEFINED;
}

static int sink_init(JSContext *c, JSModuleDef *m) {
  return JS_SetModuleExport(c, m, "take", JS_NewCFunction(c, js_take_namespace, "take", 1));
}

static JSModuleDef *module_loader(JSContext *c, const char *name, void *opaque) {
  if (strcmp(name, "guest:sink") == 0) {
    JSModuleDef *m = JS_NewCModule(c, "guest:sink", sink_init);
    if (m) JS_AddModuleExport(c, m, "take");
    return m;
  }
  const char *src = NULL;
  if (strcmp(name, "guest:program") == 0) src = program_source;
  else if (strcmp(name, "guest:helpers") == 0) src = helpers_source;
  if (!src) {
    JS_ThrowReferenceError(c, "module '%s' is not available in the sandbox", name);
    return NULL;
  }
  JSValue fn = JS_Eval(c, src, strlen(src), name, JS_EVAL_TYPE_MODULE | JS_EVAL_FLAG_COMPILE_ONLY);
  if (JS_IsException(fn)) return NULL;
  JSModuleDef *m = JS_VALUE_GET_PTR(fn);
  JS_FreeValue(c, fn);
  return m;
}

/* ---- promise settlement (for async exports) ---- */
static JSValue js_on_fulfilled(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  settled_state = 1;
  JS_FreeValue(c, settled_value);
  settled_value = JS_DupValue(c, argc > 0 ? argv[0] : JS_UNDEFINED);
  return JS_UNDEFINED;
}
static JSValue js_on_rejected(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  settled_state = 2;
  JS_FreeValue(c, settled_value);
  settled_value = JS_DupValue(c, argc > 0 ? argv[0] : JS_UNDEFINED);
  return JS_UNDEFINED;
}

/* ---- capability probes ----
 * Names a program has no business with. They are not properties of the global object: the
 * bootstrap puts a proxy it controls at the head of the global's prototype chain, so a read
 * (`Deno`, `globalThis.Deno`, `typeof Deno`), a write, `in`, `Reflect.has` and `with` all end
 * in a trap that records them. Probes that never consult the prototype chain
 * (`hasOwnProperty`, `Object.getOwnPropertyDescriptor(s)`, `Object.keys`, ...) are recorded by
 * the reflection built-ins themselves, which the bootstrap replaces with the C wrappers below
 * (one native hop on any other object). */
static const char *const PROBES[] = {
    "Deno", "process", "require", "fetch", "Bun", "module", "exports", "__dirname", "__filename",
    "XMLHttpRequest", "WebSocket", "importScripts", "std", "os", "scriptArgs", "navigator",
    "Worker", "WebAssembly", "SharedArrayBuffer", "Atomics", NULL};

static JSValue global_obj = JS_UNDEFINED;  /* the global object, for identity checks only */
static JSValue global_trap = JS_UNDEFINED; /* the proxy the bootstrap put in front of its prototype */

static int is_global(JSValueConst v) {
  return JS_VALUE_GET_TAG(v) == JS_TAG_OBJECT && JS_VALUE_GET_TAG(global_obj) == JS_TAG_OBJECT &&
         JS_VALUE_GET_PTR(v) == JS_VALUE_GET_PTR(global_obj);
}

/* magic: bits 0-3 the name's index in WRAPPED; bit 4: the target is `this` (else argv[0]);
 * bits 5-6: where the key is (0 none: a listing, 1 argv[0], 2 argv[1]). */
static const char *const WRAPPED[] = {
    "Object.prototype.hasOwnProperty", "Object.prototype.propertyIsEnumerable",
    "Object.getOwnPropertyDescriptor", "Reflect.getOwnPropertyDescriptor",
    "Object.getOwnPropertyDescriptors", "Object.keys", "Object.getOwnPropertyNames",
    "Object.entries", "Object.values", "Reflect.ownKeys", "Object.defineProperty",
    "Reflect.defineProperty", "Object.__lookupGetter__", "Object.__lookupSetter__",
    "Object.defineProperties"};
#define WRAPPED_DEFINE 10         /* Object.defineProperty: refused for a probed name */
#define WRAPPED_REFLECT_DEFINE 11 /* Reflect.defineProperty: false for a probed name */
#define WRAPPED_DEFINE_MANY 14

static JSValue js_probe_wrapper(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv,
                                int magic, JSValue *data) {
  const char *via = WRAPPED[magic & 15];
  JSValueConst target = (magic & 16) ? this_val : (argc > 0 ? argv[0] : JS_UNDEFINED);
  int key_at = (magic >> 5) & 3;
  if (is_global(target)) {
    if (key_at == 0) {
      sbuf d = {0};
      sb_str(&d, (magic & 15) == WRAPPED_DEFINE_MANY ? "defined properties of the global object with "
                                                     : "listed the global object's properties with ");
      sb_str(&d, via);
      audit_add("capability_attempt", d.data ? d.data : "", d.len);
      free(d.data);
    } else {
      int i = key_at - 1;
      JSValueConst key = i < argc ? argv[i] : JS_UNDEFINED;
      if (JS_IsString(key)) {
        size_t n = 0;
        const char *k = JS_ToCStringLen(c, &n, key);
        for (int p = 0; k && PROBES[p]; p++) {
          if (strlen(PROBES[p]) == n && memcmp(PROBES[p], k, n) == 0) {
            sbuf d = {0};
            sb_str(&d, "probe ");
            sb_put(&d, k, n);
            sb_str(&d, " with ");
            sb_str(&d, via);
            audit_add("capability_attempt", d.data ? d.data : "", d.len);
            free(d.data);
            /* The probed names stay absent: the program cannot plant its own in their place. */
            if ((magic & 15) == WRAPPED_DEFINE) {
              JS_FreeCString(c, k);
              return JS_ThrowTypeError(c, "cannot define '%s' on the global object in the sandbox",
                                       PROBES[p]);
            }
            if ((magic & 15) == WRAPPED_REFLECT_DEFINE) {
              JS_FreeCString(c, k);
              return JS_FALSE;
            }
            break;
          }
        }
        JS_FreeCString(c, k);
      }
    }
  }
  return JS_Call(c, data[0], this_val, argc, argv);
}

/* wrap(original, magic, name): a native stand-in for a reflection built-in. */
static JSValue js_wrap(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  int32_t magic = 0, length = 1;
  if (argc < 3 || !JS_IsFunction(c, argv[0]) || JS_ToInt32(c, &magic, argv[1])) {
    return JS_ThrowTypeError(c, "wrap needs a function, a number and a name");
  }
  JSValue len = JS_GetPropertyStr(c, argv[0], "length");
  JS_ToInt32(c, &length, len);
  JS_FreeValue(c, len);
  JSValue w = JS_NewCFunctionData(c, js_probe_wrapper, length, magic, 1, &argv[0]);
  if (JS_IsException(w)) return w;
  JS_DefinePropertyValueStr(c, w, "name", JS_DupValue(c, argv[2]), JS_PROP_CONFIGURABLE);
  return w;
}

/* Once per host call and at return: the global's prototype still leads to the trap. */
static void check_global_trap(void) {
  if (!JS_IsObject(global_trap)) return;
  JSValue proto = JS_GetPrototype(ctx, global_obj);
  if (JS_IsException(proto)) {
    JS_FreeValue(ctx, JS_GetException(ctx));
    return;
  }
  if (!JS_IsObject(proto) || JS_VALUE_GET_PTR(proto) != JS_VALUE_GET_PTR(global_trap)) {
    static const char D[] = "replaced the global object's prototype (where probes are recorded)";
    audit_add("capability_attempt", D, sizeof D - 1);
    JS_FreeValue(ctx, global_trap);
    global_trap = JS_UNDEFINED; /* noted once */
  }
  JS_FreeValue(ctx, proto);
}

/* Trusted bootstrap: runs before the prelude and the program; captures pristine built-ins.
 * Returns [settle, trap]. */
static const char BOOTSTRAP[] =
    "(function (audit, wrap, probes) {\n"
    "  'use strict';\n"
    "  const g = globalThis, O = Object, R = Reflect;\n"
    "  const define = O.defineProperty, getProto = O.getPrototypeOf;\n"
    "  const has = R.has, get = R.get, set = R.set;\n"
    "  const hasOwn = O.prototype.hasOwnProperty;\n"
    "  const probed = O.create(null);\n"
    "  for (const name of probes) {\n"
    "    if (hasOwn.call(g, name)) { try { delete g[name]; } catch (e) {} }\n"
    "    probed[name] = true;\n"
    "  }\n"
    "  const isProbe = (k) => typeof k === 'string' && probed[k] === true;\n"
    "  const trap = new Proxy(getProto(g), {\n"
    "    has(t, k) {\n"
    "      if (isProbe(k)) { audit('capability_attempt', 'probe ' + k + ' with in, Reflect.has or with'); return false; }\n"
    "      return has(t, k);\n"
    "    },\n"
    "    get(t, k, r) {\n"
    "      if (isProbe(k)) { audit('capability_attempt', 'read ' + k); return undefined; }\n"
    "      return get(t, k, r);\n"
    "    },\n"
    "    set(t, k, v, r) {\n"
    "      if (isProbe(k) && r === g) { audit('capability_attempt', 'write ' + k); return true; }\n"
    "      return set(t, k, v, r);\n"
    "    },\n"
    "  });\n"
    "  O.setPrototypeOf(g, trap);\n"
    "  const replace = (owner, name, magic) => {\n"
    "    define(owner, name, { value: wrap(owner[name], magic, name), writable: true,\n"
    "      enumerable: false, configurable: true });\n"
    "  };\n"
    "  const THIS = 16, KEY0 = 32, KEY1 = 64;\n"
    "  replace(O.prototype, 'hasOwnProperty', 0 | THIS | KEY0);\n"
    "  replace(O.prototype, 'propertyIsEnumerable', 1 | THIS | KEY0);\n"
    "  replace(O, 'getOwnPropertyDescriptor', 2 | KEY1);\n"
    "  replace(R, 'getOwnPropertyDescriptor', 3 | KEY1);\n"
    "  replace(O, 'getOwnPropertyDescriptors', 4);\n"
    "  replace(O, 'keys', 5);\n"
    "  replace(O, 'getOwnPropertyNames', 6);\n"
    "  replace(O, 'entries', 7);\n"
    "  replace(O, 'values', 8);\n"
    "  replace(R, 'ownKeys', 9);\n"
    "  replace(O, 'defineProperty', 10 | KEY1);\n"
    "  replace(R, 'defineProperty', 11 | KEY1);\n"
    "  replace(O.prototype, '__lookupGetter__', 12 | THIS | KEY0);\n"
    "  replace(O.prototype, '__lookupSetter__', 13 | THIS | KEY0);\n"
    "  replace(O, 'defineProperties', 14);\n"
    "  const resolve = Promise.resolve.bind(Promise);\n"
    "  const then = Function.prototype.call.bind(Promise.prototype.then);\n"
    "  return [function settle(value, ok, err) {\n"
    "    then(resolve(value), ok, err);\n"
    "  }, trap];\n"
    "})";

/* ---- envelopes ---- */
/* Written by C alone: no program code runs while the meta is built. */
static void append_meta(sbuf *b) {
  char tail[192];
  long long heap = 0;
  if (ctx) check_global_trap(); /* at return: a prototype swapped since the last host call */
  if (rt) {
    JSMemoryUsage mu;
    JS_ComputeMemoryUsage(rt, &mu);
    heap = (long long)mu.malloc_size;
  }
  sb_str(b, "{\"logs\":[");
  if (logs_json.len) sb_put(b, logs_json.data, logs_json.len);
  sb_str(b, "],");
  append_audit(b);
  snprintf(tail, sizeof tail, ",\"logOverflow\":%s,\"heapBytes\":%lld}",
           log_overflow ? "true" : "false", heap);
  sb_str(b, tail);
}

/* ,"work":[instructions,calls] of the current load or call: the meter behind guestMs. */
static void sb_work(sbuf *b) {
  char num[80];
  long long i = ctx ? (long long)(instructions_now() - work_instructions0) : 0;
  long long c = ctx ? (long long)(calls_now() - work_calls0) : 0;
  long long n = ctx ? (long long)(native_now() - work_native0) : 0;
  snprintf(num, sizeof num, ",\"work\":[%lld,%lld,%lld]", i, c, n);
  sb_str(b, num);
}

static void reply_ok(double guest_ms, const char *value_json, size_t value_len) {
  sbuf b = {0};
  char num[64];
  sb_str(&b, "{\"ok\":true,\"guestMs\":");
  snprintf(num, sizeof num, "%.3f", guest_ms);
  sb_str(&b, num);
  sb_work(&b);
  sb_str(&b, ",\"meta\":");
  append_meta(&b);
  sb_str(&b, ",\"value\":");
  sb_put(&b, value_json, value_len);
  sb_str(&b, "}");
  set_output(b.data, b.len);
  free(b.data);
}

static void reply_fail(double guest_ms, const char *kind, const char *message, size_t message_len) {
  sbuf b = {0};
  char num[64];
  sb_str(&b, "{\"ok\":false,\"guestMs\":");
  snprintf(num, sizeof num, "%.3f", guest_ms);
  sb_str(&b, num);
  sb_work(&b);
  sb_str(&b, ",\"meta\":");
  append_meta(&b);
  sb_str(&b, ",\"kind\":");
  sb_quote(&b, kind, strlen(kind));
  sb_str(&b, ",\"message\":");
  if (message_len > 4000) message_len = 4000;
  sb_quote(&b, message, message_len);
  sb_str(&b, "}");
  set_output(b.data, b.len);
  free(b.data);
}

/* Turns the pending exception into a failure reply. */
static void reply_exception(double guest_ms, const char *default_kind) {
  JSValue exc = JS_GetException(ctx);
  const char *kind = default_kind;
  sbuf msg = {0};
  if (timed_out) {
    kind = "timeout";
    sb_str(&msg, "the program ran past its time limit");
  } else {
    /* Read the message without running guest code again for long. */
    set_deadline(deadline_after(50));
    size_t n = 0;
    const char *s = NULL;
    JSValue m = JS_UNDEFINED;
    if (JS_IsError(ctx, exc)) {
      JSValue name = JS_GetPropertyStr(ctx, exc, "name");
      m = JS_GetPropertyStr(ctx, exc, "message");
      const char *ns = JS_ToCString(ctx, name);
      s = JS_ToCStringLen(ctx, &n, m);
      if (ns && s && strcmp(ns, "InternalError") == 0) {
        if (strcmp(s, "out of memory") == 0) kind = "out_of_memory";
        else if (strcmp(s, "stack overflow") == 0) kind = "stack_overflow";
        else if (strcmp(s, "interrupted") == 0) kind = "timeout";
      } else if (ns && s && strcmp(ns, "SyntaxError") == 0 && strcmp(s, "stack overflow") == 0) {
        kind = "stack_overflow"; /* the parser's own stack check on deeply nested source */
      }
      if (ns) {
        sb_str(&msg, ns);
        sb_str(&msg, ": ");
      }
      JS_FreeCString(ctx, ns);
      JS_FreeValue(ctx, name);
    } else if (JS_IsNull(exc) && alloc_refused) {
      /* QuickJS throws null when it cannot allocate its own out-of-memory error. */
      kind = "out_of_memory";
      sb_str(&msg, "InternalError: out of memory (the heap was too full to build the error)");
    } else {
      s = JS_ToCStringLen(ctx, &n, exc);
      sb_str(&msg, "uncaught: ");
    }
    if (s) sb_put(&msg, s, n > 2000 ? 2000 : n);
    else if (strcmp(kind, "out_of_memory") != 0) sb_str(&msg, "(unprintable exception)");
    JS_FreeCString(ctx, s);
    JS_FreeValue(ctx, m);
    if (strcmp(kind, default_kind) == 0 && JS_IsError(ctx, exc)) {
      JSValue st = JS_GetPropertyStr(ctx, exc, "stack");
      const char *ss = JS_IsString(st) ? JS_ToCStringLen(ctx, &n, st) : NULL;
      if (ss) {
        sb_str(&msg, "\n");
        sb_put(&msg, ss, n > 1500 ? 1500 : n);
      }
      JS_FreeCString(ctx, ss);
      JS_FreeValue(ctx, st);
    }
    JSValue later = JS_GetException(ctx); /* anything thrown while reading */
    JS_FreeValue(ctx, later);
  }
  JS_FreeValue(ctx, exc);
  reply_fail(guest_ms, kind, msg.data ? msg.data : "", msg.len);
  free(msg.data);
}

/* Runs queued promise jobs until none are left or time is up. Returns -1 on exception. */
static int drain_jobs(void) {
  JSContext *c1;
  for (;;) {
    if (meter_now() > deadline_units) {
      timed_out = 1;
      JS_ThrowInternalError(ctx, "interrupted");
      return -1;
    }
    int r = JS_ExecutePendingJob(rt, &c1);
    if (r == 0) return 0;
    if (r < 0) return -1;
  }
}

/* An own data property, or undefined: never a getter, never one inherited from a prototype
 * the program may have patched. */
static JSValue own_data_property(JSValue obj, const char *name) {
  JSValue out = JS_UNDEFINED;
  if (!JS_IsObject(obj)) return out;
  JSAtom atom = JS_NewAtom(ctx, name);
  JSPropertyDescriptor desc;
  int found = JS_GetOwnProperty(ctx, &desc, obj, atom);
  JS_FreeAtom(ctx, atom);
  if (found > 0) {
    if (desc.flags & JS_PROP_GETSET) JS_FreeValue(ctx, desc.value);
    else out = desc.value;
    JS_FreeValue(ctx, desc.getter);
    JS_FreeValue(ctx, desc.setter);
  } else if (found < 0) {
    JS_FreeValue(ctx, JS_GetException(ctx));
  }
  return out;
}

static double num_field(JSValue obj, const char *name, double fallback) {
  JSValue v = JS_GetPropertyStr(ctx, obj, name);
  double d = fallback;
  if (JS_IsNumber(v)) JS_ToFloat64(ctx, &d, v);
  JS_FreeValue(ctx, v);
  return d;
}

static char *str_field(JSValue obj, const char *name) {
  JSValue v = JS_GetPropertyStr(ctx, obj, name);
  char *out = NULL;
  if (JS_IsString(v)) {
    size_t n;
    const char *s = JS_ToCStringLen(ctx, &n, v);
    if (s) {
      out = malloc(n + 1);
      if (out) {
        memcpy(out, s, n);
        out[n] = 0;
      }
      JS_FreeCString(ctx, s);
    }
  }
  JS_FreeValue(ctx, v);
  return out;
}

/* ---- export: load ---- */
EXPORT("load") int32_t load(void) {
  uint64_t len = 0;
  char *input = read_input(&len);
  if (ctx || !input) {
    reply_fail(0, "crashed", "load called twice or input unreadable", 37);
    return 0;
  }
  instructions_base = JS_GetInstructionCount();
  calls_base = JS_GetCallCount();
  native_base = JS_GetNativeCount();
  rt = JS_NewRuntime2(&HEAP_FUNCTIONS, NULL);
  ctx = JS_NewContext(rt);
  program_ns = JS_UNDEFINED;
  adapters = JS_UNDEFINED;
  settle_fn = JS_UNDEFINED;
  settled_value = JS_UNDEFINED;
  JSValue cfg = JS_ParseJSON(ctx, input, len, "<load>");
  free(input);
  if (!JS_IsObject(cfg)) {
    JS_FreeValue(ctx, JS_GetException(ctx));
    reply_fail(0, "crashed", "load input is not a JSON object", 31);
    return 0;
  }
  program_source = str_field(cfg, "source");
  helpers_source = str_field(cfg, "helpers");
  char *prelude = str_field(cfg, "prelude");
  double heap = num_field(cfg, "heapBytes", 64 << 20);
  double stack = num_field(cfg, "stackBytes", 512 << 10);
  double seed = num_field(cfg, "seed", 0);
  default_timeout_ms = num_field(cfg, "timeoutMs", 1000);
  log_limit = (uint64_t)num_field(cfg, "logBytes", 65536);
  output_limit = (uint64_t)num_field(cfg, "outputBytes", 8 << 20);
  JS_FreeValue(ctx, cfg);
  if (!program_source) program_source = strdup("");

  seed_random((uint64_t)seed);
  JS_SetMemoryLimit(rt, (size_t)heap);
  JS_SetMaxStackSize(rt, (size_t)stack);
  JS_SetInterruptHandler(rt, interrupt_handler, NULL);
  JS_SetModuleLoaderFunc(rt, module_normalize, module_loader, NULL);

  JSValue global = JS_GetGlobalObject(ctx);
  JSValue math = JS_GetPropertyStr(ctx, global, "Math");
  JS_SetPropertyStr(ctx, math, "random", JS_NewCFunction(ctx, js_random, "random", 0));
  JS_FreeValue(ctx, math);
  JSValue console = JS_NewObject(ctx);
  JS_SetPropertyStr(ctx, console, "log", JS_NewCFunction(ctx, js_console_log, "log", 1));
  JS_SetPropertyStr(ctx, console, "error", JS_NewCFunction(ctx, js_console_log, "error", 1));
  JS_SetPropertyStr(ctx, console, "warn", JS_NewCFunction(ctx, js_console_log, "warn", 1));
  JS_SetPropertyStr(ctx, console, "info", JS_NewCFunction(ctx, js_console_log, "info", 1));
  JS_SetPropertyStr(ctx, console, "debug", JS_NewCFunction(ctx, js_console_log, "debug", 1));
  JS_SetPropertyStr(ctx, global, "console", console);
  JSValue performance = JS_NewObject(ctx);
  JS_SetPropertyStr(ctx, performance, "now", JS_NewCFunction(ctx, js_performance_now, "now", 0));
  JS_SetPropertyStr(ctx, global, "performance", performance);

  timed_out = 0;
  int64_t started = meter_now();
  set_deadline(deadline_after(default_timeout_ms));
  JSValue audit_fn = JS_NewCFunction(ctx, js_audit, "audit", 2);
  JSValue boot = JS_Eval(ctx, BOOTSTRAP, sizeof BOOTSTRAP - 1, "<bootstrap>", JS_EVAL_TYPE_GLOBAL);
  if (JS_IsException(boot)) {
    JS_FreeValue(ctx, audit_fn);
    JS_FreeValue(ctx, global);
    reply_exception(units_to_ms(meter_now() - started), "crashed");
    return 0;
  }
  global_obj = JS_DupValue(ctx, global);
  JSValue probes = JS_NewArray(ctx);
  for (uint32_t i = 0; PROBES[i]; i++) {
    JS_SetPropertyUint32(ctx, probes, i, JS_NewString(ctx, PROBES[i]));
  }
  JSValue boot_args[3] = {audit_fn, JS_NewCFunction(ctx, js_wrap, "wrap", 3), probes};
  JSValue booted = JS_Call(ctx, boot, JS_UNDEFINED, 3, (JSValueConst *)boot_args);
  JS_FreeValue(ctx, boot);
  for (int i = 0; i < 3; i++) JS_FreeValue(ctx, boot_args[i]);
  if (JS_IsException(booted)) {
    JS_FreeValue(ctx, global);
    reply_exception(units_to_ms(meter_now() - started), "crashed");
    return 0;
  }
  settle_fn = JS_GetPropertyUint32(ctx, booted, 0);
  global_trap = JS_GetPropertyUint32(ctx, booted, 1);
  JS_FreeValue(ctx, booted);

  if (prelude && prelude[0]) {
    JSValue factory = JS_Eval(ctx, prelude, strlen(prelude), "<prelude>", JS_EVAL_TYPE_GLOBAL);
    free(prelude);
    if (JS_IsException(factory)) {
      JS_FreeValue(ctx, global);
      reply_exception(units_to_ms(meter_now() - started), "crashed");
      return 0;
    }
    JSValue host = JS_NewCFunction(ctx, js_host_call, "host", 2);
    adapters = JS_Call(ctx, factory, JS_UNDEFINED, 1, (JSValueConst *)&host);
    JS_FreeValue(ctx, host);
    JS_FreeValue(ctx, factory);
    if (JS_IsException(adapters)) {
      adapters = JS_UNDEFINED;
      JS_FreeValue(ctx, global);
      reply_exception(units_to_ms(meter_now() - started), "crashed");
      return 0;
    }
  } else {
    free(prelude);
  }

  /* Evaluate the program as a module, then take its namespace through a second module. */
  static const char CAPTURE[] =
      "import * as ns from 'guest:program'; import { take } from 'guest:sink'; take(ns);";
  int64_t eval_started = meter_now();
  mark_work();
  /* The program's limit counts from here, where its reported time does: the bootstrap and the
   * prelude (the host's code, whose allocations the meter charges too) are not its work. */
  set_deadline(deadline_after(default_timeout_ms));
  JSValue r = JS_Eval(ctx, CAPTURE, sizeof CAPTURE - 1, "<capture>", JS_EVAL_TYPE_MODULE);
  if (!JS_IsException(r) && drain_jobs() < 0) {
    JS_FreeValue(ctx, r);
    r = JS_EXCEPTION;
  }
  double guest = units_to_ms(meter_now() - eval_started);
  if (JS_IsException(r)) {
    JS_FreeValue(ctx, global);
    /* A syntax error is a compile error; anything thrown at top level is a runtime error. */
    JSValue exc = JS_GetException(ctx);
    const char *kind = "runtime_error";
    JSValue name = JS_IsError(ctx, exc) ? JS_GetPropertyStr(ctx, exc, "name") : JS_UNDEFINED;
    const char *ns = JS_IsString(name) ? JS_ToCString(ctx, name) : NULL;
    if (ns && strcmp(ns, "SyntaxError") == 0) kind = "compile_error";
    JS_FreeCString(ctx, ns);
    JS_FreeValue(ctx, name);
    JS_Throw(ctx, exc);
    reply_exception(guest, kind);
    return 0;
  }
  JS_FreeValue(ctx, r);
  JS_FreeValue(ctx, global);
  reply_ok(guest, "null", 4);
  return 0;
}

/* ---- export: call ---- */
EXPORT("call") int32_t call(void) {
  uint64_t len = 0;
  char *input = read_input(&len);
  if (!ctx || !input) {
    free(input);
    reply_fail(0, "crashed", "call before load", 16);
    return 0;
  }
  /* Fresh per-call state. */
  logs_json.len = 0;
  audit_reset();
  alloc_refused = 0;
  log_count = 0;
  log_bytes = 0;
  log_overflow = 0;
  timed_out = 0;
  set_deadline(INT64_MAX);
  mark_work();

  JSValue req = JS_ParseJSON(ctx, input, len, "<call>");
  free(input);
  if (!JS_IsObject(req)) {
    JS_FreeValue(ctx, JS_GetException(ctx));
    JS_FreeValue(ctx, req);
    reply_fail(0, "crashed", "call input is not a JSON object", 31);
    return 0;
  }
  char *export_name = str_field(req, "export");
  char *adapter = str_field(req, "adapter");
  double timeout = num_field(req, "timeoutMs", default_timeout_ms);
  JSValue args = JS_GetPropertyStr(ctx, req, "args");
  JS_FreeValue(ctx, req);

  JSValue fn = export_name ? JS_GetPropertyStr(ctx, program_ns, export_name) : JS_UNDEFINED;
  if (!JS_IsFunction(ctx, fn)) {
    sbuf m = {0};
    sb_str(&m, "the program does not export a function named '");
    if (export_name) sb_str(&m, export_name);
    sb_str(&m, "'");
    JS_FreeValue(ctx, JS_GetException(ctx));
    reply_fail(0, "missing_export", m.data, m.len);
    free(m.data);
    free(export_name);
    free(adapter);
    JS_FreeValue(ctx, fn);
    JS_FreeValue(ctx, args);
    return 0;
  }

  uint32_t argc = 0;
  JSValue alen = JS_GetPropertyStr(ctx, args, "length");
  JS_ToUint32(ctx, &argc, alen);
  JS_FreeValue(ctx, alen);
  if (argc > 64) argc = 64;
  JSValue argv[64];
  for (uint32_t i = 0; i < argc; i++) argv[i] = JS_GetPropertyUint32(ctx, args, i);

  int64_t started = meter_now();
  mark_work();
  set_deadline(deadline_after(timeout));
  JSValue result;
  if (adapter) {
    JSValue wrap = own_data_property(adapters, adapter);
    if (!JS_IsFunction(ctx, wrap)) {
      JS_FreeValue(ctx, wrap);
      result = JS_ThrowTypeError(ctx, "unknown adapter '%s'", adapter);
    } else {
      JSValue pair[2] = {fn, args};
      result = JS_Call(ctx, wrap, JS_UNDEFINED, 2, (JSValueConst *)pair);
      JS_FreeValue(ctx, wrap);
    }
  } else {
    result = JS_Call(ctx, fn, JS_UNDEFINED, (int)argc, (JSValueConst *)argv);
  }
  for (uint32_t i = 0; i < argc; i++) JS_FreeValue(ctx, argv[i]);
  JS_FreeValue(ctx, args);
  JS_FreeValue(ctx, fn);
  free(export_name);
  free(adapter);

  /* Await a promise (or any thenable) the export returned. */
  if (!JS_IsException(result) && JS_IsObject(result)) {
    settled_state = 0;
    JSValue cb[3] = {result, JS_NewCFunction(ctx, js_on_fulfilled, "ok", 1),
                     JS_NewCFunction(ctx, js_on_rejected, "err", 1)};
    JSValue thenable = JS_GetPropertyStr(ctx, result, "then");
    int is_thenable = JS_IsFunction(ctx, thenable);
    JS_FreeValue(ctx, thenable);
    if (is_thenable) {
      JSValue r = JS_Call(ctx, settle_fn, JS_UNDEFINED, 3, (JSValueConst *)cb);
      if (JS_IsException(r) || drain_jobs() < 0) {
        JS_FreeValue(ctx, result);
        result = JS_EXCEPTION;
      } else if (settled_state == 1) {
        JS_FreeValue(ctx, result);
        result = JS_DupValue(ctx, settled_value);
      } else if (settled_state == 2) {
        JS_FreeValue(ctx, result);
        JS_Throw(ctx, JS_DupValue(ctx, settled_value));
        result = JS_EXCEPTION;
      } else {
        JS_FreeValue(ctx, result);
        result = JS_ThrowTypeError(ctx, "the export returned a promise that never settled");
      }
      JS_FreeValue(ctx, r);
    } else if (drain_jobs() < 0) {
      JS_FreeValue(ctx, result);
      result = JS_EXCEPTION;
    }
    JS_FreeValue(ctx, cb[1]);
    JS_FreeValue(ctx, cb[2]);
  } else if (!JS_IsException(result) && drain_jobs() < 0) {
    JS_FreeValue(ctx, result);
    result = JS_EXCEPTION;
  }
  if (JS_IsException(result)) {
    reply_exception(units_to_ms(meter_now() - started), "runtime_error");
    return 0;
  }
  /* Serialise with the engine's own JSON (the program may have replaced JSON.stringify). */
  JSValue json = JS_JSONStringify(ctx, result, JS_UNDEFINED, JS_UNDEFINED);
  JS_FreeValue(ctx, result);
  double guest = units_to_ms(meter_now() - started);
  if (JS_IsException(json)) {
    reply_exception(guest, "bad_output");
    return 0;
  }
  if (JS_IsUndefined(json)) {
    reply_fail(guest, "bad_output", "the export returned undefined or a function", 43);
    return 0;
  }
  size_t n = 0;
  const char *s = JS_ToCStringLen(ctx, &n, json);
  JS_FreeValue(ctx, json);
  if (!s) {
    JS_FreeValue(ctx, JS_GetException(ctx));
    reply_fail(guest, "out_of_memory", "could not encode the result", 27);
    return 0;
  }
  if (n > output_limit) {
    JS_FreeCString(ctx, s);
    char m[128];
    int ml = snprintf(m, sizeof m, "the result is %zu bytes, over the limit of %llu", n,
                      (unsigned long long)output_limit);
    reply_fail(guest, "output_too_large", m, (size_t)ml);
    return 0;
  }
  reply_ok(guest, s, n);
  JS_FreeCString(ctx, s);
  return 0;
}

/* ---- export: warm ----
 * Runs a throwaway runtime through the code paths a load and a call take, then frees it,
 * so that the engine has compiled them before a program arrives. No program is involved and
 * nothing survives but freed heap, which JavaScript cannot read. */
EXPORT("warm") int32_t warm(void) {
  static const char WARM[] =
      "const o = JSON.parse('{\"a\":[1,2,3],\"b\":\"x\"}');"
      "function f(x) { return x.map((v) => v * 2).reduce((s, v) => s + v, 0); }"
      "let s = 0; for (let i = 0; i < 2000; i++) s += f(o.a) + String(i).length;"
      "JSON.stringify({ s, r: /a+b/.test('aab'), d: new Date(0).getTime() });";
  static const char WARM_MODULE[] = "export function g(a) { return a + 1; }";
  JSRuntime *r = JS_NewRuntime();
  JSContext *c = JS_NewContext(r);
  JSValue v = JS_Eval(c, WARM, sizeof WARM - 1, "<warm>", JS_EVAL_TYPE_GLOBAL);
  JS_FreeValue(c, v);
  JSValue m = JS_Eval(c, WARM_MODULE, sizeof WARM_MODULE - 1, "<warm-module>",
                      JS_EVAL_TYPE_MODULE | JS_EVAL_FLAG_COMPILE_ONLY);
  JS_FreeValue(c, m);
  JS_FreeContext(c);
  JS_FreeRuntime(r);
  set_output("{\"ok\":true}", 11);
  return 0;
}
