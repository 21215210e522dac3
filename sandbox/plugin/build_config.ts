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
    why: "wasi-libc has malloc_usable_size, which the heap limit's accounting needs",
  },
  {
    file: "quickjs.c",
    find: "return (uintptr_t)__builtin_frame_address(0);",
    replace: "volatile char probe = 0; return (uintptr_t)&probe;",
    count: 1,
    why: "the native stack check reads the shadow stack pointer through a local's address",
  },
];

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
];

/** Linker flags. */
export const LDFLAGS: readonly string[] = [
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
 * @returns A hex string.
 */
export async function pluginKey(glueSource: string): Promise<string> {
  const material = JSON.stringify({
    glue: glueSource,
    QUICKJS_PACKAGE,
    QUICKJS_FILES,
    QUICKJS_PATCHES,
    CFLAGS,
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
 * @returns The path of the `.wasm` file (it may not exist yet).
 */
export async function pluginPath(): Promise<string> {
  const glue = await Deno.readTextFile(new URL("./stop_sandbox.c", import.meta.url));
  const key = await pluginKey(glue);
  return new URL(`${CACHE_DIR}/stop-sandbox-${key}.wasm`, PROJECT_ROOT).pathname;
}
