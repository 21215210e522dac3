/**
 * Everything that decides the bytes of the sandbox plugin: the pinned QuickJS source
 * package, the patches applied to it, and the compiler flags. The build script and the
 * runtime both derive the plugin's cache key from this module and the C glue.
 *
 * @module
 */

/** The npm package whose tarball carries the QuickJS sources (folder `deps/`). */
export const QUICKJS_PACKAGE = {
  name: "qjsc",
  version: "0.3.0",
  /** The registry's `dist.integrity` of the tarball, checked before anything is unpacked. */
  integrity:
    "sha512-a7+cU6/IVcZbIejffdt/wZVMX6LL2MDL3HQ9Zb5Gm23G9DvBMS/z9GHFxz39bAvp2PvMOM+ypSOAyokt2DdZ2w==",
  /** Folder inside the tarball that holds the QuickJS release. */
  folder: "package/deps/quickjs_2021_03_27",
  /** QuickJS release these sources are. */
  quickjsVersion: "2021-03-27",
} as const;

/** QuickJS files compiled into the plugin. */
export const QUICKJS_FILES = [
  "quickjs.c",
  "libregexp.c",
  "libunicode.c",
  "cutils.c",
  "libbf.c",
] as const;

/** Headers copied beside them. */
export const QUICKJS_HEADERS = [
  "quickjs.h",
  "quickjs-atom.h",
  "quickjs-opcode.h",
  "cutils.h",
  "libregexp.h",
  "libregexp-opcode.h",
  "libunicode.h",
  "libunicode-table.h",
  "libbf.h",
  "list.h",
] as const;

/**
 * Source edits for a wasm32-wasi build, each applied exactly `count` times (the build
 * fails if the source does not match, so a changed tarball cannot be patched silently).
 */
export const QUICKJS_PATCHES: readonly {
  file: string;
  find: string;
  replace: string;
  count: number;
  why: string;
}[] = [
  {
    file: "quickjs.c",
    find: "#if !defined(EMSCRIPTEN)\n#define CONFIG_ATOMICS",
    replace: "#if !defined(EMSCRIPTEN) && !defined(__wasi__)\n#define CONFIG_ATOMICS",
    count: 1,
    why: "Atomics need threads, which the plugin does not have",
  },
  {
    file: "quickjs.c",
    find: "#elif defined(__linux__)\n",
    replace: "#elif defined(__linux__) || defined(__wasi__)\n",
    count: 3,
    why:
      "wasi-libc has malloc_usable_size, which QuickJS's default allocator reads (the plugin's own allocator records requested sizes instead)",
  },
  {
    file: "quickjs.c",
    find: "return (uintptr_t)__builtin_frame_address(0);",
    replace: "volatile char probe = 0; return (uintptr_t)&probe;",
    count: 1,
    why: "the native stack check reads the shadow stack pointer through a local's address",
  },
  {
    file: "quickjs.c",
    find: `        CASE(OP_post_inc):
        CASE(OP_post_dec):
            if (js_post_inc_slow(ctx, sp, opcode))
                goto exception;
            sp++;
            BREAK;
`,
    replace: `        CASE(OP_post_inc):
        CASE(OP_post_dec):
            if (likely(JS_VALUE_GET_TAG(sp[-1]) == JS_TAG_INT)) {
                int val = JS_VALUE_GET_INT(sp[-1]);
                if (opcode == OP_post_inc ? val != INT32_MAX : val != INT32_MIN) {
                    sp[0] = JS_NewInt32(ctx, opcode == OP_post_inc ? val + 1 : val - 1);
                    sp++;
                    BREAK;
                }
            }
            if (js_post_inc_slow(ctx, sp, opcode))
                goto exception;
            sp++;
            BREAK;
`,
    count: 1,
    why: "speed: `x++` on an int skips the generic slow path (QuickJS 2021 always took it)",
  },
  {
    file: "quickjs.c",
    find: `        case OP_dup:
            if (OPTIMIZE) {
                /* Transformation: dup put_x(n) drop -> put_x(n) */
                int op1, line2 = -1;
`,
    replace: `        case OP_dup:
            if (OPTIMIZE) {
                /* Transformation: dup put_x(n) drop -> put_x(n) */
                int op1, line2 = -1;
                /* Transformation: dup put_loc_check(n) drop -> put_loc_check(n) */
                if (code_match(&cc, pos_next, OP_put_loc_check, -1, OP_drop, -1)) {
                    if (cc.line_num >= 0) line_num = cc.line_num;
                    add_pc2line_info(s, bc_out.size, line_num);
                    dbuf_putc(&bc_out, OP_put_loc_check);
                    dbuf_put_u16(&bc_out, cc.idx);
                    pos_next = cc.pos;
                    break;
                }
`,
    count: 1,
    why:
      "speed: `dup put_loc_check(n) drop` becomes `put_loc_check(n)`, as QuickJS already does for put_loc",
  },
  {
    file: "quickjs.c",
    find: `                   post_inc perm4 put_array_el drop -> inc put_array_el
                 */
                int op1, idx;
`,
    replace: `                   post_inc perm4 put_array_el drop -> inc put_array_el
                 */
                int op1, idx;
                if (code_match(&cc, pos_next, OP_put_loc_check, -1, OP_drop, -1)) {
                    if (cc.line_num >= 0) line_num = cc.line_num;
                    idx = cc.idx;
                    pos_next = cc.pos;
                    add_pc2line_info(s, bc_out.size, line_num);
                    dbuf_putc(&bc_out, OP_dec + (op - OP_post_dec));
                    dbuf_putc(&bc_out, OP_put_loc_check);
                    dbuf_put_u16(&bc_out, idx);
                    break;
                }
`,
    count: 1,
    why:
      "speed: `post_inc put_loc_check(n) drop` becomes `inc put_loc_check(n)`, as QuickJS already does for put_loc",
  },
  {
    file: "quickjs.c",
    find: `        CASE(OP_get_array_el):
            {
                JSValue val;

                val = JS_GetPropertyValue(ctx, sp[-2], sp[-1]);
`,
    replace: `        CASE(OP_get_array_el):
            {
                JSValue val;

                if (likely(JS_VALUE_GET_TAG(sp[-2]) == JS_TAG_OBJECT &&
                           JS_VALUE_GET_TAG(sp[-1]) == JS_TAG_INT)) {
                    JSObject *p = JS_VALUE_GET_OBJ(sp[-2]);
                    uint32_t idx = JS_VALUE_GET_INT(sp[-1]);
                    if (likely(p->class_id == JS_CLASS_ARRAY && p->fast_array &&
                               idx < p->u.array.count)) {
                        val = JS_DupValue(ctx, p->u.array.u.values[idx]);
                        JS_FreeValue(ctx, sp[-2]);
                        sp[-2] = val;
                        sp--;
                        BREAK;
                    }
                }
                val = JS_GetPropertyValue(ctx, sp[-2], sp[-1]);
`,
    count: 1,
    why: "speed: indexing a plain array with an int is done inline in the interpreter loop",
  },
  {
    file: "quickjs.c",
    find: `static __exception int resolve_labels(JSContext *ctx, JSFunctionDef *s)
{
`,
    replace: `/* stop: a lexical local can only read as uninitialized between its
   set_loc_uninitialized and the next write. When every such stretch is
   straight-line code (no label, jump, return or throw) that touches the
   variable only with its initialising put_loc, no read can see it
   uninitialized, so its get_loc_check/put_loc_check become get_loc/put_loc. */
static void remove_unneeded_tdz_checks(JSFunctionDef *s)
{
    uint8_t *bc = s->byte_code.buf;
    int bc_len = s->byte_code.size;
    int n = s->var_count;
    int pos, pos_next, p2, op, op2, idx, fmt, ok;
    uint8_t *state; /* 0: no set_loc_uninitialized seen, 1: safe, 2: keep checks */

    if (n <= 0)
        return;
    state = js_mallocz(s->ctx, n);
    if (!state)
        return;
    for (pos = 0; pos < bc_len; pos = pos_next) {
        op = bc[pos];
        pos_next = pos + opcode_info[op].size;
        if (op == OP_put_loc_check_init || op == OP_make_loc_ref) {
            idx = get_u16(bc + pos + 1 + (op == OP_make_loc_ref ? 4 : 0));
            if (idx < n)
                state[idx] = 2;
            continue;
        }
        if (op != OP_set_loc_uninitialized)
            continue;
        idx = get_u16(bc + pos + 1);
        if (idx >= n || state[idx] == 2)
            continue;
        ok = 0;
        for (p2 = pos_next; p2 < bc_len; p2 += opcode_info[op2].size) {
            op2 = bc[p2];
            fmt = opcode_info[op2].fmt;
            if (fmt == OP_FMT_loc) {
                if (get_u16(bc + p2 + 1) == idx) {
                    ok = (op2 == OP_put_loc);
                    break;
                }
                continue;
            }
            if (fmt == OP_FMT_label || fmt == OP_FMT_label_u16 || fmt == OP_FMT_label8 ||
                fmt == OP_FMT_label16 || fmt == OP_FMT_atom_label_u8 ||
                fmt == OP_FMT_atom_label_u16 || op2 == OP_make_loc_ref ||
                op2 == OP_return || op2 == OP_return_undef || op2 == OP_return_async ||
                op2 == OP_throw || op2 == OP_throw_error || op2 == OP_ret)
                break;
        }
        state[idx] = ok ? 1 : 2;
    }
    if (s->this_var_idx >= 0 && s->this_var_idx < n)
        state[s->this_var_idx] = 2;
    for (pos = 0; pos < bc_len; pos = pos_next) {
        op = bc[pos];
        pos_next = pos + opcode_info[op].size;
        if (op == OP_get_loc_check || op == OP_put_loc_check) {
            idx = get_u16(bc + pos + 1);
            if (idx < n && state[idx] == 1)
                bc[pos] = (op == OP_get_loc_check) ? OP_get_loc : OP_put_loc;
        }
    }
    js_free(s->ctx, state);
}

static __exception int resolve_labels(JSContext *ctx, JSFunctionDef *s)
{
`,
    count: 1,
    why:
      "speed: defines a pass that drops TDZ checks of `let`/`const` locals that can never be read uninitialized (the XXX in resolve_variables)",
  },
  {
    file: "quickjs.c",
    find: `    line_num = s->line_num;

    cc.bc_buf = bc_buf = s->byte_code.buf;
`,
    replace: `    line_num = s->line_num;

    if (OPTIMIZE)
        remove_unneeded_tdz_checks(s);
    cc.bc_buf = bc_buf = s->byte_code.buf;
`,
    count: 1,
    why: "speed: runs that pass before the peephole pass, which then also turns `x++` into inc_loc",
  },
  {
    file: "quickjs.c",
    find: "#define JS_INTERRUPT_COUNTER_INIT 10000\n",
    replace: `#define JS_INTERRUPT_COUNTER_INIT 10000
/* stop: the meter. Every bytecode instruction the interpreter executes (counted a basic
   block at a time, see JS_CallInternal) and every call (of a bytecode or a native function)
   made through JS_CallInternal, counted. */
static int64_t js_stop_instructions, js_stop_calls;
`,
    count: 1,
    why: "meter: the counts of the guest's work, declared before every place that adds to them",
  },
  {
    file: "quickjs.c",
    find: `static inline __exception int js_poll_interrupts(JSContext *ctx)
{
`,
    replace: `/* stop: the meter's counts (declared after JS_INTERRUPT_COUNTER_INIT). */
int64_t JS_GetInstructionCount(void)
{
    return js_stop_instructions;
}

int64_t JS_GetCallCount(void)
{
    return js_stop_calls;
}

static inline __exception int js_poll_interrupts(JSContext *ctx)
{
`,
    count: 1,
    why: "meter: counts of executed bytecode instructions and calls, the guest's work",
  },
  {
    file: "quickjs.c",
    find: `    if (js_poll_interrupts(caller_ctx))
        return JS_EXCEPTION;
`,
    replace: `    js_stop_calls++;
    if (js_poll_interrupts(caller_ctx))
        return JS_EXCEPTION;
`,
    count: 1,
    why: "meter: counts each call (native built-ins do uncounted work per call and per callback)",
  },
  {
    file: "quickjs.c",
    find: `    uint8_t *byte_code_buf; /* (self pointer) */
    int byte_code_len;
`,
    replace: `    uint8_t *byte_code_buf; /* (self pointer) */
    int byte_code_len;
    /* stop: for each offset 0..byte_code_len, how many instructions start before it (self
       pointer): the meter counts a basic block's instructions as a difference of two. */
    uint32_t *stop_index;
`,
    count: 1,
    why:
      "meter: a function's instruction index, so that a basic block's instructions are counted in one step when it ends",
  },
  {
    file: "quickjs.c",
    find: "static JSValue js_create_function(JSContext *ctx, JSFunctionDef *fd)\n{\n",
    replace: `/* stop: fills b->stop_index: entry k is the number of instructions that start before
   offset k (an offset inside an instruction counts that instruction as started). */
static void js_stop_build_index(JSFunctionBytecode *b)
{
    uint32_t n = 0;
    int pos = 0, k, size;
    while (pos < b->byte_code_len) {
        size = short_opcode_info(b->byte_code_buf[pos]).size;
        b->stop_index[pos] = n++;
        for (k = 1; k < size && pos + k < b->byte_code_len; k++)
            b->stop_index[pos + k] = n;
        pos += size;
    }
    b->stop_index[b->byte_code_len] = n;
}

static JSValue js_create_function(JSContext *ctx, JSFunctionDef *fd)
{
    int stop_index_offset;
`,
    count: 1,
    why: "meter: builds a function's instruction index from its final bytecode",
  },
  {
    file: "quickjs.c",
    find: `    byte_code_offset = function_size;
    function_size += fd->byte_code.size;
`,
    replace: `    byte_code_offset = function_size;
    function_size += fd->byte_code.size;
    /* stop: the instruction index, in the same allocation (freed with it) */
    function_size = (function_size + 3) & ~3;
    stop_index_offset = function_size;
    function_size += (fd->byte_code.size + 1) * sizeof(uint32_t);
`,
    count: 1,
    why: "meter: room for the instruction index beside the bytecode",
  },
  {
    file: "quickjs.c",
    find: "    memcpy(b->byte_code_buf, fd->byte_code.buf, fd->byte_code.size);\n",
    replace: `    memcpy(b->byte_code_buf, fd->byte_code.buf, fd->byte_code.size);
    b->stop_index = (uint32_t *)((uint8_t *)b + stop_index_offset);
    js_stop_build_index(b);
`,
    count: 1,
    why: "meter: every compiled function gets its instruction index",
  },
  {
    file: "quickjs.c",
    find: `    b->byte_code_buf = bc_buf;

    pos = 0;
`,
    replace: `    b->byte_code_buf = bc_buf;
    /* stop: bytecode read back has no instruction index, so the meter could not count it;
       the plugin never reads bytecode, and this keeps it that way. */
    JS_ThrowInternalError(s->ctx, "reading bytecode is not supported by the metered sandbox");
    return -1;

    pos = 0;
`,
    count: 1,
    why:
      "meter: bytecode read back (never done by the plugin) would run uncounted, so it is refused",
  },
  {
    file: "quickjs.c",
    find: `    const uint8_t *pc;
    int opcode, arg_allocated_size, i;
`,
    replace: `    const uint8_t *pc;
    int opcode, arg_allocated_size, i;
    /* stop: the meter counts the instructions of a basic block when it ends (a taken jump, a
       call, an exception, the frame's exit): stop_from is the index at the block's start.
       This costs a few operations per block instead of one per instruction, and the count
       is the same as counting each instruction at dispatch. */
    uint32_t stop_from = 0;
#define STOP_AT(pc)     (b->stop_index[(pc) - b->byte_code_buf])
#define STOP_ANCHOR()   (stop_from = STOP_AT(pc))
#define STOP_FLUSH()    do { uint32_t stop_to = STOP_AT(pc);                    \
                             js_stop_instructions += stop_to - stop_from;     \
                             stop_from = stop_to; } while (0)
`,
    count: 1,
    why: "meter: the interpreter's block counting (the index where the current block started)",
  },
  {
    file: "quickjs.c",
    find: "            pc = sf->cur_pc;\n",
    replace: "            pc = sf->cur_pc;\n            STOP_ANCHOR();\n",
    count: 1,
    why: "meter: a resumed generator or async function starts a block where it stopped",
  },
  {
    file: "quickjs.c",
    find: " restart:\n    for(;;) {\n",
    replace: " restart:\n    STOP_ANCHOR();\n    for(;;) {\n",
    count: 1,
    why: "meter: a block starts at the function's entry and at a catch",
  },
  {
    file: "quickjs.c",
    find: `            pc += (int32_t)get_u32(pc);
            if (unlikely(js_poll_interrupts(ctx)))
`,
    replace: `            STOP_FLUSH();
            pc += (int32_t)get_u32(pc);
            STOP_ANCHOR();
            if (unlikely(js_poll_interrupts(ctx)))
`,
    count: 1,
    why: "meter: goto ends a block",
  },
  {
    file: "quickjs.c",
    find: `            pc += (int16_t)get_u16(pc);
            if (unlikely(js_poll_interrupts(ctx)))
`,
    replace: `            STOP_FLUSH();
            pc += (int16_t)get_u16(pc);
            STOP_ANCHOR();
            if (unlikely(js_poll_interrupts(ctx)))
`,
    count: 1,
    why: "meter: goto16 ends a block",
  },
  {
    file: "quickjs.c",
    find: `            pc += (int8_t)pc[0];
            if (unlikely(js_poll_interrupts(ctx)))
`,
    replace: `            STOP_FLUSH();
            pc += (int8_t)pc[0];
            STOP_ANCHOR();
            if (unlikely(js_poll_interrupts(ctx)))
`,
    count: 1,
    why: "meter: goto8 ends a block",
  },
  {
    file: "quickjs.c",
    find: "                    pc += (int32_t)get_u32(pc - 4) - 4;\n",
    replace: `                    STOP_FLUSH();
                    pc += (int32_t)get_u32(pc - 4) - 4;
                    STOP_ANCHOR();
`,
    count: 2,
    why: "meter: a taken if_true or if_false ends a block",
  },
  {
    file: "quickjs.c",
    find: "                    pc += (int8_t)pc[-1] - 1;\n",
    replace: `                    STOP_FLUSH();
                    pc += (int8_t)pc[-1] - 1;
                    STOP_ANCHOR();
`,
    count: 2,
    why: "meter: a taken if_true8 or if_false8 ends a block",
  },
  {
    file: "quickjs.c",
    find: "                pc += diff;\n",
    replace:
      "                STOP_FLUSH();\n                pc += diff;\n                STOP_ANCHOR();\n",
    count: 1,
    why: "meter: gosub (a finally block) ends a block",
  },
  {
    file: "quickjs.c",
    find: `                sp--;
                pc = b->byte_code_buf + pos;
`,
    replace: `                sp--;
                STOP_FLUSH();
                pc = b->byte_code_buf + pos;
                STOP_ANCHOR();
`,
    count: 1,
    why: "meter: ret (the end of a finally block) ends a block",
  },
  {
    file: "quickjs.c",
    find: "                    pc += diff - 5;\n",
    replace:
      "                    STOP_FLUSH();\n                    pc += diff - 5;\n                    STOP_ANCHOR();\n",
    count: 1,
    why: "meter: a with_* instruction that jumps ends a block",
  },
  {
    file: "quickjs.c",
    find: "                sf->cur_pc = pc;\n",
    replace: "                sf->cur_pc = pc;\n                STOP_FLUSH();\n",
    count: 4,
    why:
      "meter: a call (call, call_constructor, call_method, eval) counts its block first, so the callee's clock and deadline see it",
  },
  {
    file: "quickjs.c",
    find: `                pc += 2;

                ret_val = js_function_apply(ctx, sp[-3], 2, (JSValueConst *)&sp[-2], magic);
`,
    replace: `                pc += 2;
                STOP_FLUSH();
                ret_val = js_function_apply(ctx, sp[-3], 2, (JSValueConst *)&sp[-2], magic);
`,
    count: 1,
    why: "meter: a spread call (apply) counts its block first, as the other calls do",
  },
  {
    file: "quickjs.c",
    find: ` exception:
    if (is_backtrace_needed(ctx, rt->current_exception)) {
`,
    replace: ` exception:
    STOP_FLUSH();
    if (is_backtrace_needed(ctx, rt->current_exception)) {
`,
    count: 1,
    why: "meter: an exception ends a block",
  },
  {
    file: "quickjs.c",
    find: `    rt->current_stack_frame = sf->prev_frame;
    return ret_val;
}

JSValue JS_Call(`,
    replace: `    STOP_FLUSH();
    rt->current_stack_frame = sf->prev_frame;
    return ret_val;
}

JSValue JS_Call(`,
    count: 1,
    why: "meter: leaving a frame (return, yield, await, an exception) ends its block",
  },
  {
    file: "quickjs.c",
    find: `    for(sf = ctx->rt->current_stack_frame; sf != NULL; sf = sf->prev_frame) {
        if (backtrace_flags & JS_BACKTRACE_FLAG_SKIP_FIRST_LEVEL) {
`,
    replace: `    for(sf = ctx->rt->current_stack_frame; sf != NULL; sf = sf->prev_frame) {
        js_stop_calls++; /* stop: a frame of the backtrace costs what a call does, */
        ctx->interrupt_counter = 1; /* and the deadline is checked at the next poll */
        if (backtrace_flags & JS_BACKTRACE_FLAG_SKIP_FIRST_LEVEL) {
`,
    count: 1,
    why:
      "meter: an error's backtrace walks every frame (thousands at a stack overflow): each is charged as a call, and the deadline is checked soon after",
  },
  {
    file: "quickjs.c",
    find: "static int64_t js_stop_instructions, js_stop_calls;\n",
    replace: `static int64_t js_stop_instructions, js_stop_calls;
/* stop: units charged by native built-ins for the work they do (see NATIVE_UNITS in
   build_config.ts), BigInt limb work (counted in libbf.c), and the raw meter reading past
   which native work is interrupted (set by the glue with every deadline). */
static int64_t js_stop_native;
extern int64_t bf_stop_units;
static int64_t js_stop_deadline = INT64_MAX;
static inline int64_t js_stop_meter(void)
{
    return js_stop_instructions + (int64_t)STOP_UNITS_PER_CALL * js_stop_calls +
        js_stop_native + bf_stop_units;
}
static int js_stop_check(JSContext *ctx);
/* Charges native work and checks the deadline: -1 (an uncatchable "interrupted" thrown, as
   the interrupt handler's) when the meter has passed it. */
static inline int js_stop_charge(JSContext *ctx, int64_t units)
{
    js_stop_native += units;
    if (likely(js_stop_meter() <= js_stop_deadline))
        return 0;
    return js_stop_check(ctx);
}
`,
    count: 1,
    why: "meter: native built-ins charge the units of the work they do and check the deadline",
  },
  {
    file: "quickjs.c",
    find: `static inline __exception int js_poll_interrupts(JSContext *ctx)
{
`,
    replace: `int64_t JS_GetNativeCount(void)
{
    return js_stop_native + bf_stop_units;
}

void JS_ChargeNativeWork(int64_t units)
{
    js_stop_native += units;
}

void JS_SetMeterDeadline(int64_t raw)
{
    js_stop_deadline = raw;
}

int JS_MeterPastDeadline(void)
{
    return js_stop_meter() > js_stop_deadline;
}

static int js_stop_check(JSContext *ctx)
{
    if (js_stop_meter() <= js_stop_deadline)
        return 0;
    return __js_poll_interrupts(ctx);
}

/* libregexp: a batch of backtracking steps (lre_exec's opaque is the context). */
int lre_stop_charge(void *opaque, int units)
{
    return js_stop_charge(opaque, units);
}

static inline __exception int js_poll_interrupts(JSContext *ctx)
{
`,
    count: 1,
    why: "meter: the native count for the glue, the deadline it sets, and the check",
  },
  {
    file: "quickjs.c",
    find: `static void *js_bf_realloc(void *opaque, void *ptr, size_t size)
{
    JSRuntime *rt = opaque;
    return js_realloc_rt(rt, ptr, size);
`,
    replace: `static void *js_bf_realloc(void *opaque, void *ptr, size_t size)
{
    JSRuntime *rt = opaque;
    /* stop: libbf cannot throw; past the deadline its allocations fail (a memory error
       ends the operation) once the handler has marked the call timed out. */
    if (size && js_stop_meter() > js_stop_deadline && rt->interrupt_handler &&
        rt->interrupt_handler(rt, rt->interrupt_opaque))
        return NULL;
    return js_realloc_rt(rt, ptr, size);
`,
    count: 1,
    why: "meter: a BigInt operation past the deadline fails at its next allocation",
  },
  {
    file: "quickjs.c",
    find: `    if (likely((uint64_t)idx <= JS_ATOM_MAX_INT)) {
        /* fast path */
        present = JS_HasProperty(ctx, obj, __JS_AtomFromUInt32(idx));
`,
    replace: `    if (js_stop_charge(ctx, (uint64_t)idx <= JS_ATOM_MAX_INT ? 4 : 200)) {
        *pval = JS_UNDEFINED;
        return -1;
    }
    if (likely((uint64_t)idx <= JS_ATOM_MAX_INT)) {
        /* fast path */
        present = JS_HasProperty(ctx, obj, __JS_AtomFromUInt32(idx));
`,
    count: 1,
    why:
      "meter: an element a native built-in reads by index costs 4 units, 200 past 2^31 (an atom is built)",
  },
  {
    file: "quickjs.c",
    find: `                             uint32_t idx)
{
    return JS_GetPropertyValue(ctx, this_obj, JS_NewUint32(ctx, idx));
`,
    replace: `                             uint32_t idx)
{
    if (js_stop_charge(ctx, idx <= JS_ATOM_MAX_INT ? 4 : 200))
        return JS_EXCEPTION;
    return JS_GetPropertyValue(ctx, this_obj, JS_NewUint32(ctx, idx));
`,
    count: 1,
    why: "meter: an element a native built-in reads by index costs 4 units (join, iterators)",
  },
  {
    file: "quickjs.c",
    find: `static JSValue JS_GetPropertyInt64(JSContext *ctx, JSValueConst obj, int64_t idx)
{
    JSAtom prop;
    JSValue val;

`,
    replace: `static JSValue JS_GetPropertyInt64(JSContext *ctx, JSValueConst obj, int64_t idx)
{
    JSAtom prop;
    JSValue val;

    if (js_stop_charge(ctx, (uint64_t)idx <= JS_ATOM_MAX_INT ? 4 : 200))
        return JS_EXCEPTION;
`,
    count: 1,
    why: "meter: an element a native built-in reads by index costs 4 units (join, toString)",
  },
  {
    file: "quickjs.c",
    find: `int JS_SetPropertyInt64(JSContext *ctx, JSValueConst this_obj,
                        int64_t idx, JSValue val)
{
    JSAtom prop;
    int res;

`,
    replace: `int JS_SetPropertyInt64(JSContext *ctx, JSValueConst this_obj,
                        int64_t idx, JSValue val)
{
    JSAtom prop;
    int res;

    if (js_stop_charge(ctx, (uint64_t)idx <= JS_ATOM_MAX_INT ? 4 : 200)) {
        JS_FreeValue(ctx, val);
        return -1;
    }
`,
    count: 1,
    why: "meter: an element a native built-in writes by index costs 4 units (fill, copyWithin)",
  },
  {
    file: "quickjs.c",
    find: `int JS_DeletePropertyInt64(JSContext *ctx, JSValueConst obj, int64_t idx, int flags)
{
    JSAtom prop;
    int res;

`,
    replace: `int JS_DeletePropertyInt64(JSContext *ctx, JSValueConst obj, int64_t idx, int flags)
{
    JSAtom prop;
    int res;

    if (js_stop_charge(ctx, (uint64_t)idx <= JS_ATOM_MAX_INT ? 4 : 200))
        return -1;
`,
    count: 1,
    why: "meter: an element a native built-in deletes by index costs 4 units (copyWithin, splice)",
  },
  {
    file: "quickjs.c",
    find: `        if (js_get_fast_array(ctx, obj, &arrp, &count)) {
            for (; n < count; n++) {
`,
    replace: `        if (js_get_fast_array(ctx, obj, &arrp, &count)) {
            for (; n < count; n++) {
                if (js_stop_charge(ctx, 2)) /* stop: an element compared */
                    goto exception;
`,
    count: 2,
    why: "meter: includes/indexOf on a plain array charge 2 units per element compared",
  },
  {
    file: "quickjs.c",
    find: `    if (psc->exception)
        return 0;

    if (psc->has_method) {
`,
    replace: `    if (psc->exception)
        return 0;

    /* stop: a comparison of the sort: 8 units (string conversion and comparison, the
       sort's own moves), 4 when a comparator does the comparing (its call is counted) */
    if (js_stop_charge(ctx, psc->has_method ? 4 : 8))
        goto exception;

    if (psc->has_method) {
`,
    count: 1,
    why:
      "meter: each comparison of Array.prototype.sort costs 8 units (4 beside a comparator's call) and checks the deadline",
  },
  {
    file: "quickjs.c",
    find: `    for (i = 0; i < len; i++) {
        if ((c1 = string_get(p1, x1 + i)) != (c2 = string_get(p2, x2 + i)))
            return c1 - c2;
    }
    return 0;
`,
    replace: `    for (i = 0; i < len; i++) {
        if ((c1 = string_get(p1, x1 + i)) != (c2 = string_get(p2, x2 + i))) {
            js_stop_native += 1 + (i >> 2); /* stop: 1 unit + 1 per 4 characters compared */
            return c1 - c2;
        }
    }
    js_stop_native += 1 + (len >> 2);
    return 0;
`,
    count: 1,
    why: "meter: string comparison charges 1 unit plus 1 per 4 characters compared",
  },
  {
    file: "quickjs.c",
    find: `static int string_indexof(JSString *p1, JSString *p2, int from)
{
    /* assuming 0 <= from <= p1->len */
    int c, i, j, len1 = p1->len, len2 = p2->len;
    if (len2 == 0)
        return from;
    for (i = from, c = string_get(p2, 0); i + len2 <= len1; i = j + 1) {
        j = string_indexof_char(p1, c, i);
        if (j < 0 || j + len2 > len1)
            break;
`,
    replace: `/* stop: -2 when the deadline passed (an exception is pending). */
static int string_indexof(JSContext *ctx, JSString *p1, JSString *p2, int from)
{
    /* assuming 0 <= from <= p1->len */
    int c, i, j, len1 = p1->len, len2 = p2->len;
    if (len2 == 0)
        return from;
    for (i = from, c = string_get(p2, 0); i + len2 <= len1; i = j + 1) {
        j = string_indexof_char(p1, c, i);
        /* stop: 1 unit per 8 characters scanned for the first one */
        if (js_stop_charge(ctx, ((j < 0 ? len1 : j) - i) >> 3))
            return -2;
        if (j < 0 || j + len2 > len1)
            break;
`,
    count: 1,
    why: "meter: split and replaceAll's search charges its scan and checks the deadline",
  },
  {
    file: "quickjs.c",
    find: "            pos = string_indexof(sp, searchp, endOfLastMatch);\n",
    replace: `            pos = string_indexof(ctx, sp, searchp, endOfLastMatch);
            if (pos == -2)
                goto exception;
`,
    count: 1,
    why: "meter: replaceAll's search passes the context and stops at the deadline",
  },
  {
    file: "quickjs.c",
    find: "        e = string_indexof(sp, rp, q);\n",
    replace: `        e = string_indexof(ctx, sp, rp, q);
        if (e == -2)
            goto exception;
`,
    count: 1,
    why: "meter: split's search passes the context and stops at the deadline",
  },
  {
    file: "quickjs.c",
    find: `            if (!string_cmp(p, p1, i, 0, v_len)) {
`,
    replace: `            if (js_stop_check(ctx))
                goto fail;
            if (!string_cmp(p, p1, i, 0, v_len)) {
`,
    count: 2,
    why:
      "meter: indexOf/lastIndexOf/includes check the deadline at each position (string_cmp charges)",
  },
  {
    file: "quickjs.c",
    find: `        } else {
            JS_ThrowInternalError(ctx, "out of memory in regexp execution");
`,
    replace: `        } else {
            if (!JS_IsUncatchableError(ctx, ctx->rt->current_exception))
                JS_ThrowInternalError(ctx, "out of memory in regexp execution");
`,
    count: 1,
    why: "meter: a regular expression stopped at the deadline keeps the uncatchable interrupt",
  },
  {
    file: "quickjs.c",
    find: `            } else {
                JS_ThrowInternalError(ctx, "out of memory in regexp execution");
`,
    replace: `            } else {
                if (!JS_IsUncatchableError(ctx, ctx->rt->current_exception))
                    JS_ThrowInternalError(ctx, "out of memory in regexp execution");
`,
    count: 1,
    why: "meter: the same in RegExp.prototype[Symbol.replace]'s fast path",
  },
  {
    file: "quickjs.c",
    find: `static int string_buffer_write8(StringBuffer *s, const uint8_t *p, int len)
{
    int i;

`,
    replace: `static int string_buffer_write8(StringBuffer *s, const uint8_t *p, int len)
{
    int i;

    js_stop_native += 3 + (len >> 4); /* stop: 3 units + 1 per 16 characters copied */
`,
    count: 1,
    why:
      "meter: building a string (join, repeat, pad, replace, JSON) charges the characters copied",
  },
  {
    file: "quickjs.c",
    find: `static int string_buffer_write16(StringBuffer *s, const uint16_t *p, int len)
{
    int c = 0, i;

`,
    replace: `static int string_buffer_write16(StringBuffer *s, const uint16_t *p, int len)
{
    int c = 0, i;

    js_stop_native += 3 + (len >> 3); /* stop: 3 units + 1 per 8 wide characters copied */
`,
    count: 1,
    why: "meter: building a wide string charges the characters copied",
  },
  {
    file: "quickjs.c",
    find: `static int string_buffer_fill(StringBuffer *s, int c, int count)
{
`,
    replace: `static int string_buffer_fill(StringBuffer *s, int c, int count)
{
    js_stop_native += 1 + count; /* stop: 1 unit + 1 per character filled */
`,
    count: 1,
    why: "meter: filling a string (repeat, padStart/padEnd) charges the characters written",
  },
  {
    file: "quickjs.c",
    find: `                          JSValueConst indent)
{
    JSValue indent1, sep, sep1, tab, v, prop;
    JSObject *p;
    int64_t i, len;
    int cl, ret;
    BOOL has_content;
`,
    replace: `                          JSValueConst indent)
{
    JSValue indent1, sep, sep1, tab, v, prop;
    JSObject *p;
    int64_t i, len;
    int cl, ret;
    BOOL has_content;

    if (js_stop_charge(ctx, 100)) { /* stop: a value JSON.stringify visits costs 100 units */
        JS_FreeValue(ctx, val);
        return -1;
    }
`,
    count: 1,
    why:
      "meter: JSON.stringify charges each value it visits (its keys, its quoting) and checks the deadline",
  },
  {
    file: "quickjs.c",
    find: `    JSValue val = JS_NULL;
    int ret;

    switch(s->token.val) {
    case '{':
`,
    replace: `    JSValue val = JS_NULL;
    int ret;

    if (js_stop_charge(ctx, 32)) /* stop: a value JSON.parse builds costs 32 units */
        return JS_EXCEPTION;
    switch(s->token.val) {
    case '{':
`,
    count: 1,
    why: "meter: JSON.parse charges each value it builds and checks the deadline",
  },
  {
    file: "quickjs.c",
    find: `    shift = typed_array_size_log2(p->class_id);
    switch(shift) {
    case 0:
        if (k < final) {
`,
    replace: `    /* stop: 1 unit + 1 per 4 elements written */
    if (k < final && js_stop_charge(ctx, 1 + ((final - k) >> 2)))
        return JS_EXCEPTION;
    shift = typed_array_size_log2(p->class_id);
    switch(shift) {
    case 0:
        if (k < final) {
`,
    count: 1,
    why: "meter: TypedArray.prototype.fill charges the elements it writes",
  },
  {
    file: "quickjs.c",
    find: `        shift = typed_array_size_log2(p->class_id);
        memmove(p->u.array.u.uint8_ptr + (to << shift),
`,
    replace: `        shift = typed_array_size_log2(p->class_id);
        /* stop: 1 unit + 1 per 16 bytes moved */
        if (js_stop_charge(ctx, 1 + (((int64_t)count << shift) >> 4)))
            return JS_EXCEPTION;
        memmove(p->u.array.u.uint8_ptr + (to << shift),
`,
    count: 1,
    why: "meter: TypedArray.prototype.copyWithin charges the bytes it moves",
  },
  {
    file: "quickjs.c",
    find: `            /* same type, use memmove */
            memmove(dest_abuf->data + dest_ta->offset + (offset << shift),
`,
    replace: `            /* same type, use memmove */
            js_stop_native += 1 + (((int64_t)src_len << shift) >> 4); /* stop: per 16 bytes */
            memmove(dest_abuf->data + dest_ta->offset + (offset << shift),
`,
    count: 1,
    why: "meter: TypedArray.prototype.set charges the bytes it copies",
  },
  {
    file: "quickjs.c",
    find: `static JSValue js_typed_array_sort(JSContext *ctx, JSValueConst this_val,
`,
    replace:
      `/* stop: the default comparison of TypedArray.prototype.sort, charged 4 units and checking
   the deadline (an interrupted sort stops comparing, as Array.prototype.sort does) */
struct js_stop_ta_cmp {
    int (*cmp)(const void *a, const void *b, void *opaque);
    JSContext *ctx;
    int exception;
};

static int js_stop_ta_cmp_charged(const void *a, const void *b, void *opaque)
{
    struct js_stop_ta_cmp *sc = opaque;
    if (sc->exception)
        return 0;
    if (js_stop_charge(sc->ctx, 4)) {
        sc->exception = 1;
        return 0;
    }
    return sc->cmp(a, b, NULL);
}

static JSValue js_typed_array_sort(JSContext *ctx, JSValueConst this_val,
`,
    count: 1,
    why: "meter: defines TypedArray.prototype.sort's charged default comparison",
  },
  {
    file: "quickjs.c",
    find: `            rqsort(array_ptr, len, elt_size, cmpfun, &tsc);
            if (tsc.exception)
                return JS_EXCEPTION;
`,
    replace: `            struct js_stop_ta_cmp sc = { cmpfun, ctx, 0 };
            rqsort(array_ptr, len, elt_size, js_stop_ta_cmp_charged, &sc);
            if (sc.exception)
                return JS_EXCEPTION;
`,
    count: 1,
    why: "meter: TypedArray.prototype.sort's default comparisons are charged and checked",
  },
  {
    file: "quickjs.c",
    find: `    default:
        abort();
    }

    rt->current_stack_frame = sf->prev_frame;
    return ret_val;
}
`,
    replace: `    default:
        abort();
    }

    rt->current_stack_frame = sf->prev_frame;
    /* stop: a built-in that charged its work without checking (string building, element
       scans, allocation) is interrupted as it returns, if that work passed the deadline */
    if (unlikely(js_stop_meter() > js_stop_deadline) && !JS_IsException(ret_val) &&
        js_stop_check(ctx)) {
        JS_FreeValue(ctx, ret_val);
        ret_val = JS_EXCEPTION;
    }
    return ret_val;
}
`,
    count: 1,
    why: "meter: every native call checks the deadline as it returns",
  },
  {
    file: "quickjs.c",
    find: `    js_trigger_gc(ctx->rt, sizeof(JSObject));
    p = js_malloc(ctx, sizeof(JSObject));
`,
    replace: `    js_trigger_gc(ctx->rt, sizeof(JSObject));
    /* stop: an object costs 64 units beside its allocations: setting it up and tearing it
       down, and its share of the cycle collector, whose every pass visits every live object
       (a pass runs each time the heap has grown by half) */
    js_stop_native += 64;
    p = js_malloc(ctx, sizeof(JSObject));
`,
    count: 1,
    why:
      "meter: each object created (plain, array, function, closure, promise) costs 64 units beside its allocations",
  },
  {
    file: "quickjs.c",
    find: `    e = js_malloc(ctx, sizeof(*e) + argc * sizeof(JSValue));
    if (!e)
        return -1;
`,
    replace: `    /* stop: a job costs 600 units: its bookkeeping, the promise machinery around it
       (resolving functions, reactions, thenable jobs) that no instruction counts, and the
       cycle collector's passes over the promises a storm keeps alive */
    js_stop_native += 600;
    e = js_malloc(ctx, sizeof(*e) + argc * sizeof(JSValue));
    if (!e)
        return -1;
`,
    count: 1,
    why:
      "meter: each job enqueued (a promise reaction, a thenable's resolution, an await) costs 600 units",
  },
  {
    file: "quickjs.c",
    find: `    case JS_TAG_INT:
        snprintf(buf, sizeof(buf), "%d", JS_VALUE_GET_INT(val));
`,
    replace: `    case JS_TAG_INT:
        js_stop_native += 64; /* stop: an integer converted to a string costs 64 units */
        snprintf(buf, sizeof(buf), "%d", JS_VALUE_GET_INT(val));
`,
    count: 1,
    why: "meter: converting an integer to a string (snprintf) costs 64 units",
  },
  {
    file: "quickjs.c",
    find: `    char buf[JS_DTOA_BUF_SIZE];
    js_dtoa1(buf, d, radix, n_digits, flags);
    return JS_NewString(ctx, buf);
`,
    replace: `    char buf[JS_DTOA_BUF_SIZE];
    /* stop: a number converted to a string costs 1024 units when the shortest form is
       searched (up to 17 snprintf calls), 64 for an integer or a fixed number of digits */
    js_stop_native += (flags == JS_DTOA_VAR_FORMAT && isfinite(d) &&
                       (d != trunc(d) || fabs(d) > 9007199254740991.0)) ? 1024 : 64;
    js_dtoa1(buf, d, radix, n_digits, flags);
    return JS_NewString(ctx, buf);
`,
    count: 1,
    why:
      "meter: converting a number to a string (js_dtoa) costs 1024 units, 64 for an integer or a fixed number of digits",
  },
  {
    file: "quickjs.c",
    find: `                                       int64_t idx, JSValue val, int flags)
{
    return JS_DefinePropertyValueValue(ctx, this_obj, JS_NewInt64(ctx, idx),
`,
    replace: `                                       int64_t idx, JSValue val, int flags)
{
    if (js_stop_charge(ctx, 16)) { /* stop: an element a built-in defines costs 16 units */
        JS_FreeValue(ctx, val);
        return -1;
    }
    return JS_DefinePropertyValueValue(ctx, this_obj, JS_NewInt64(ctx, idx),
`,
    count: 1,
    why:
      "meter: an element a built-in defines in the array it builds (slice, splice, split, Array.of, Array.from of an iterable) costs 16 units and checks the deadline",
  },
  {
    file: "quickjs.c",
    find: `        T = js_sub_string(ctx, sp, p, e);
        if (JS_IsException(T))
            goto exception;
        if (JS_CreateDataPropertyUint32(ctx, A, lengthA++, T, 0) < 0)
`,
    replace:
      `        /* stop: a piece of a split costs 96 units beside its allocation (its string, its
           element in the array, which grows) */
        if (js_stop_charge(ctx, 96))
            goto exception;
        T = js_sub_string(ctx, sp, p, e);
        if (JS_IsException(T))
            goto exception;
        if (JS_CreateDataPropertyUint32(ctx, A, lengthA++, T, 0) < 0)
`,
    count: 1,
    why: "meter: each piece String.prototype.split cuts costs 96 units and checks the deadline",
  },
  {
    file: "libregexp.c",
    find: `    for(;;) {
        //        printf("top=%p: pc=%d\\n", th_list.top, (int)(pc - (bc_buf + RE_HEADER_LEN)));
        opcode = *pc++;
`,
    replace: `    for(;;) {
        /* stop: each step of the matcher costs LRE_STOP_UNITS_PER_STEP units, charged in
           batches of 256 steps */
        if (unlikely(++lre_stop_steps >= 256)) {
            lre_stop_steps = 0;
            if (lre_stop_charge(s->opaque, 256 * LRE_STOP_UNITS_PER_STEP))
                return -1;
        }
        opcode = *pc++;
`,
    count: 1,
    why:
      "meter: a regular expression's backtracking steps are charged (3 units each) and check the deadline",
  },
  {
    file: "libregexp.c",
    find: `/* return 1 if match, 0 if not match or -1 if error. */
static intptr_t lre_exec_backtrack(`,
    replace: `int lre_stop_charge(void *opaque, int units);
static int lre_stop_steps; /* steps not charged yet; flushed when lre_exec ends */
#define LRE_STOP_UNITS_PER_STEP 3 /* a step's work beside a bytecode instruction's */

/* return 1 if match, 0 if not match or -1 if error. */
static intptr_t lre_exec_backtrack(`,
    count: 1,
    why: "meter: the step counter of the regular expression matcher",
  },
  {
    file: "libregexp.c",
    find: `    lre_realloc(s->opaque, s->state_stack, 0);
    return ret;
`,
    replace: `    lre_realloc(s->opaque, s->state_stack, 0);
    if (lre_stop_steps) {
        int steps = lre_stop_steps;
        lre_stop_steps = 0;
        if (lre_stop_charge(s->opaque, steps * LRE_STOP_UNITS_PER_STEP) && ret >= 0)
            ret = -1;
    }
    return ret;
`,
    count: 1,
    why: "meter: the last steps of a match are charged when it ends",
  },
  {
    file: "libbf.c",
    find: `static void mp_mul_basecase(limb_t *result, 
                            const limb_t *op1, limb_t op1_size, 
                            const limb_t *op2, limb_t op2_size) 
{
    limb_t i, r;
`,
    replace: `int64_t bf_stop_units; /* stop: BigInt limb work, part of the meter */

static void mp_mul_basecase(limb_t *result, 
                            const limb_t *op1, limb_t op1_size, 
                            const limb_t *op2, limb_t op2_size) 
{
    limb_t i, r;
    bf_stop_units += (int64_t)op1_size * op2_size; /* stop: a unit per limb product */
`,
    count: 1,
    why: "meter: schoolbook multiplication charges a unit per limb product",
  },
  {
    file: "libbf.c",
    find: `static int mp_divnorm(bf_context_t *s, limb_t *tabq, limb_t *taba, limb_t na, 
                      const limb_t *tabb, limb_t nb)
{
    limb_t r, a, c, q, v, b1, b1_inv, n, dummy_r;
    slimb_t i, j;
`,
    replace: `static int mp_divnorm(bf_context_t *s, limb_t *tabq, limb_t *taba, limb_t na, 
                      const limb_t *tabb, limb_t nb)
{
    limb_t r, a, c, q, v, b1, b1_inv, n, dummy_r;
    slimb_t i, j;
    bf_stop_units += (int64_t)na * nb; /* stop: a unit per limb product, bounded above */
`,
    count: 1,
    why: "meter: schoolbook division charges a unit per limb product",
  },
  {
    file: "libbf.c",
    find: `static no_inline int ntt_fft(BFNTTState *s, NTTLimb *out_buf, NTTLimb *in_buf,
                             NTTLimb *tmp_buf, int fft_len_log2,
                             int inverse, int m_idx)
{
    limb_t nb_blocks, fft_per_block, p, k, n, stride_in, i, j, m, m2;
    NTTLimb *tab_in, *tab_out, *tmp, a0, a1, b0, b1, c, *trig, c_inv;
    int l;
`,
    replace: `static no_inline int ntt_fft(BFNTTState *s, NTTLimb *out_buf, NTTLimb *in_buf,
                             NTTLimb *tmp_buf, int fft_len_log2,
                             int inverse, int m_idx)
{
    limb_t nb_blocks, fft_per_block, p, k, n, stride_in, i, j, m, m2;
    NTTLimb *tab_in, *tab_out, *tmp, a0, a1, b0, b1, c, *trig, c_inv;
    int l;
    /* stop: 4 units per butterfly (n/2 per pass, log2 n passes) */
    bf_stop_units += ((int64_t)1 << fft_len_log2) * fft_len_log2 * 2;
`,
    count: 1,
    why: "meter: a number-theoretic transform charges its butterflies",
  },
  {
    file: "quickjs.h",
    find: "void JS_SetInterruptHandler(JSRuntime *rt, JSInterruptHandler *cb, void *opaque);\n",
    replace: "void JS_SetInterruptHandler(JSRuntime *rt, JSInterruptHandler *cb, void *opaque);\n" +
      "int64_t JS_GetInstructionCount(void);\nint64_t JS_GetCallCount(void);\n" +
      "int64_t JS_GetNativeCount(void);\nvoid JS_ChargeNativeWork(int64_t units);\n" +
      "void JS_SetMeterDeadline(int64_t raw);\nint JS_MeterPastDeadline(void);\n",
    count: 1,
    why: "meter: declares the instruction count for the glue",
  },
];

/**
 * Which build of the plugin: `metered` is the only one programs run in; `unmetered` is the
 * same sources with the meter compiled out, built only for the metering-overhead benchmark
 * (`deno task bench`). A program in the unmetered build has no deterministic time limit:
 * its work reads as 0, its clock stands still, and only the host's wall-clock backstop ends
 * it.
 */
export type PluginVariant = "metered" | "unmetered";

/** Start of the `why` of every patch that is part of the meter (dropped by the unmetered build). */
const METER_PATCH = "meter:";

/**
 * What the unmetered build adds in place of the meter's patches: the meter's entry points,
 * which the glue calls, doing nothing. The declarations in `quickjs.h` are kept.
 */
const UNMETERED_STUBS = {
  file: "quickjs.c",
  find: `static inline __exception int js_poll_interrupts(JSContext *ctx)
{
`,
  replace: `#ifndef STOP_NO_METER
#error "the meter's stubs belong to the unmetered benchmark build only"
#endif
/* stop: the unmetered build (the metering-overhead benchmark only): nothing is counted or
   charged, the work reads as 0 and no deterministic deadline ever passes. */
int64_t JS_GetInstructionCount(void) { return 0; }
int64_t JS_GetCallCount(void) { return 0; }
int64_t JS_GetNativeCount(void) { return 0; }
void JS_ChargeNativeWork(int64_t units) { (void)units; }
void JS_SetMeterDeadline(int64_t raw) { (void)raw; }
int JS_MeterPastDeadline(void) { return 0; }

static inline __exception int js_poll_interrupts(JSContext *ctx)
{
`,
  count: 1,
  why: "unmetered: the meter's entry points, doing nothing (benchmark build only)",
} as const;

/**
 * The source edits of a build: {@linkcode QUICKJS_PATCHES} for the metered build; for the
 * unmetered one, the same without the meter's patches (those whose `why` starts with
 * `meter:`, except the declarations the glue compiles against) and with no-op entry points.
 *
 * @param variant The build.
 * @returns The patches, in the order they are applied.
 */
export function pluginPatches(variant: PluginVariant): readonly {
  file: string;
  find: string;
  replace: string;
  count: number;
  why: string;
}[] {
  if (variant === "metered") return QUICKJS_PATCHES;
  return [
    ...QUICKJS_PATCHES.filter((p) => p.file === "quickjs.h" || !p.why.startsWith(METER_PATCH)),
    UNMETERED_STUBS,
  ];
}

/**
 * Units of work one call counts for (a call of a bytecode or native function, on top of the
 * instructions it runs): a call, and the native work of the built-in it may enter, costs far
 * more than an instruction. The guest's work is `instructions + UNITS_PER_CALL × calls`.
 * Fitted with `tests/calibrate_clock.ts` (figures at {@linkcode VIRTUAL_PS_PER_UNIT}).
 */
export const UNITS_PER_CALL = 40;

/**
 * What native built-ins charge, in the same units (set in the patches above, where each class
 * does its work; the glue charges allocation). Each is about the CPU time the work takes beside
 * a plain bytecode loop's 1.2 to 1.7 ns per unit (a typical mix of array, property and call
 * instructions takes about 1.5 times that), rounded, so that no class of native work is cheaper
 * per unit than bytecode by more than about 2: `tests/calibrate_native.ts` prints each class's
 * ns per unit against the loop's (figures in `tests/calibration/README.md`, "Native charges").
 * - regular expression: 3 per matcher step (charged and checked every 256 steps);
 * - elements read, written or deleted by index by a built-in (join, indexOf, lastIndexOf,
 *   fill, copyWithin, splice on array-likes): 4 each, 200 past index
 *   2^31 (an atom is built); `includes`/`indexOf` on a plain array: 2 per element compared;
 *   an element a built-in defines in the array it builds (slice, splice, split, Array.of,
 *   Array.from of an iterable): 16;
 * - sorting: 8 per default comparison of `Array.prototype.sort`, 4 beside a comparator's call
 *   (which is counted as a call); 4 per TypedArray default comparison;
 * - strings: a comparison 1 + 1 per 4 characters compared, the search for a first character
 *   1 per 8 characters scanned, building 3 + 1 per 16 characters copied (8 wide), filling 1
 *   per character (repeat, padStart, padEnd); a piece `split` cuts 96; a number converted to
 *   a string 64, or 1024 when its shortest decimal form is searched (a fraction);
 * - JSON: 100 per value `JSON.stringify` visits, 32 per value `JSON.parse` builds;
 * - BigInt: 1 per limb product (multiplication and division), 4 per butterfly of a
 *   number-theoretic transform; past the deadline a BigInt operation fails at its next
 *   allocation;
 * - typed arrays: fill 1 per 4 elements, copyWithin and set 1 per 16 bytes;
 * - allocation: 16 per allocation or reallocation, plus 1 per 32 bytes of its (new) size
 *   (`ALLOC_BASE_UNITS`, `ALLOC_BYTES_PER_UNIT_LOG2` in the glue); each object created
 *   (plain, array, function, closure, promise) 64 more;
 * - promises: each job enqueued (a reaction, a thenable's resolution, an await's resumption)
 *   600. The cycle collector is not charged where it runs (when it runs depends on
 *   `malloc_usable_size`, so the count would depend on the allocator): objects and jobs carry
 *   its share, which is largest for what a program keeps alive (a promise storm's chain);
 * - an error's backtrace: each frame it walks costs a call.
 * Loops that can run long check the deadline as they charge, and every native call checks it
 * as it returns, so the timeout comes at a point that depends on the program alone.
 */

/**
 * Virtual picoseconds per unit of the guest's work: every time the guest sees, and every
 * time limit, is `units × this`. Calibrated to the paper (issue 13): one virtual second is the
 * work CPython 3.11 does in one second on the calibration set of `tests/calibration/` (the
 * stand-in's two LPN programs, the max-cut and quadratic-assignment seeds,
 * `string-grid/dynamic_programming`), so the paper's CPython time limits apply as they stand.
 *
 * Refitted 2026-11-28 after the native charges were raised to what the work costs (allocations,
 * objects, promise jobs, number formatting, split and slice: `tests/calibrate_native.ts`), which
 * added 0.1 % (`lpn/subset_brute_force`) to 75 % (`lpn/small_subsets`, a closure per subset)
 * to the calibration programs' units. On the 2-core development VM (Python 3.11.7, load average
 * 1.2 to 1.5), `deno task calibrate:cpython --repeats 15 --instances 10` fitted 1114, 1137 and
 * 1134 (geometric mean over the five programs of the ps per unit that makes each one's virtual
 * time its CPython time); the constant is the median, 1134. Program by program, CPython's time
 * over the fitted virtual time is 0.28 (`lpn/small_subsets`: a closure call per subset where the
 * port loops inline) to 1.55 (the quadratic-assignment seed); max-cut seed 1.25,
 * `lpn/subset_brute_force` 1.38, `string-grid/dynamic_programming` 1.35.
 *
 * The first fit, with the charges before (same command and machine, load average 1 to 2), gave
 * 1305 and 1312; two later runs while the load rose 1398 and 1582 (the CPython column is the one
 * load slows). With fewer repeats the fit is noisier and higher: `--repeats 3` gave 1686,
 * `--repeats 5` 1753, 1332, 1466 and 1434.
 *
 * Before, the constant was 3300, fitted to the sandbox's own wall time with
 * `tests/calibrate_clock.ts` (a virtual millisecond was about an idle wall millisecond of the
 * development machine, 2.5 CPython milliseconds of work); that fit also set
 * {@linkcode UNITS_PER_CALL}. Its figures, 2026-11-28, least of 3 runs of 6 test instances per
 * program, a least-squares fit of wall time over the 15 programs that run 1 virtual ms or more:
 * - lighter load (load average 4 when it started): 3.30 wall ns per instruction, 134 ns per
 *   call (40 instructions), 1.5 ms of marshalling per export call (not charged). Under those
 *   constants the programs' wall/virtual ratios ranged from 0.65 (lpn/subset_brute_force:
 *   tight integer loops) to 2.4 (lpn/small_subsets: many short calls and allocations); 3SAT
 *   seed 1.20, max-cut seed 0.93, quadratic-assignment seed 1.78, walksat_incremental 1.38,
 *   maxcut/local_search 2.05.
 * - load average 8: 5.30 wall ns per instruction, 222 ns per call (42 instructions),
 *   0.8 ms per export call.
 * - load average 2: 2.80 wall ns per instruction, 85 ns per call (30 instructions).
 * Under 1305 every wall/virtual ratio was 3300 / 1305 = 2.53 times those: an idle virtual
 * millisecond was 1.6 to 6.1 wall milliseconds of the sandbox on that machine; under 1134, with
 * the charges of today, `tests/calibrate_cpython.ts` shows 1.3 to 10.8 wall per CPython second
 * (the sandbox wall column) idle.
 */
export const VIRTUAL_PS_PER_UNIT = 1134;

/** Size of the guest's shadow stack (linked first, so an overflow traps instead of corrupting). */
export const STACK_BYTES = 4 * 1024 * 1024;

/** Declared maximum memory of the built module; the host lowers it per program. */
export const MAX_MEMORY_BYTES = 1024 * 1024 * 1024;

/** clang flags for every translation unit. */
export const CFLAGS: readonly string[] = [
  "--target=wasm32-wasi",
  "-O2",
  "-mexec-model=reactor",
  "-D_GNU_SOURCE",
  `-DCONFIG_VERSION="${QUICKJS_PACKAGE.quickjsVersion}"`,
  "-DCONFIG_BIGNUM",
  "-DFE_DOWNWARD=0",
  "-DFE_UPWARD=0",
  "-Wno-everything",
  `-DSTOP_VIRTUAL_PS_PER_UNIT=${VIRTUAL_PS_PER_UNIT}`,
  `-DSTOP_UNITS_PER_CALL=${UNITS_PER_CALL}`,
];

/**
 * The compiler flags of a build: the unmetered one also defines `STOP_NO_METER`, without
 * which its stubs do not compile.
 *
 * @param variant The build.
 * @returns The flags of every translation unit.
 */
export function pluginCflags(variant: PluginVariant): readonly string[] {
  return variant === "metered" ? CFLAGS : [...CFLAGS, "-DSTOP_NO_METER"];
}

/** Linker flags (the link step gets no CFLAGS). */
export const LDFLAGS: readonly string[] = [
  "--target=wasm32-wasi",
  "-mexec-model=reactor",
  "-Wl,--stack-first",
  `-Wl,-z,stack-size=${STACK_BYTES}`,
  `-Wl,--max-memory=${MAX_MEMORY_BYTES}`,
  "-Wl,--strip-all",
];

/** The compiler executable. */
export const CLANG = "clang-16";

/** Debian packages the build needs. */
export const DEBIAN_PACKAGES = [
  "clang-16",
  "lld-16",
  "wasi-libc",
  "libclang-rt-16-dev-wasm32",
] as const;

/** Where built plugins are cached, relative to the project root. */
export const CACHE_DIR = ".cache/plugin";

/**
 * The cache key of a build: a hash of the C glue and of every setting above.
 *
 * @param glueSource The text of `stop_sandbox.c`.
 * @param variant The build (the metered build's key does not depend on the unmetered one).
 * @returns A hex string.
 */
export async function pluginKey(
  glueSource: string,
  variant: PluginVariant = "metered",
): Promise<string> {
  const material = JSON.stringify({
    glue: glueSource,
    QUICKJS_PACKAGE,
    QUICKJS_FILES,
    QUICKJS_PATCHES: pluginPatches(variant),
    CFLAGS: pluginCflags(variant),
    LDFLAGS,
    CLANG,
    STACK_BYTES,
    MAX_MEMORY_BYTES,
  });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(material));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")
    .slice(0, 20);
}

/** Absolute URL of the project root. */
export const PROJECT_ROOT: URL = new URL("../../", import.meta.url);

/**
 * Path of the cached plugin for the current glue and settings.
 *
 * @param variant The build: the metered one unless the overhead benchmark asks otherwise.
 * @returns The path of the `.wasm` file (it may not exist yet).
 */
export async function pluginPath(variant: PluginVariant = "metered"): Promise<string> {
  const glue = await Deno.readTextFile(new URL("./stop_sandbox.c", import.meta.url));
  const key = await pluginKey(glue, variant);
  const name = variant === "metered" ? "stop-sandbox" : `stop-sandbox-${variant}`;
  return new URL(`${CACHE_DIR}/${name}-${key}.wasm`, PROJECT_ROOT).pathname;
}
