import { defineConfig } from "vitest/config";

// Test files run in parallel: most of a file's time is spent waiting (PostgreSQL, SMTP and IMAP
// servers, spawned `postbag` processes, Chromium), not computing, so on a 2-core machine four
// files at once finish well before one at a time (vitest's default there: cores - 1 = 1). Every
// file has its own databases (a SQLite file or a PostgreSQL database per file) and binds port 0,
// so files never share state. POSTBAG_TEST_WORKERS overrides the count (1 runs one file at a time).
const workers = Number(process.env.POSTBAG_TEST_WORKERS ?? 4);

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Forks, not threads: better-sqlite3 and smtp-server hold native handles and sockets that are
    // simpler to reason about (and to kill) per process.
    pool: "forks",
    // A fork keeps the modules it loaded from one file to the next instead of importing Postbag
    // afresh for each of the 150 files (that cost a fifth of the suite's CPU time). Postbag's
    // module-level state is caches only (parsed keys, derived secrets), and no test mocks modules
    // or changes the environment, so nothing one file does reaches another.
    isolate: false,
    maxWorkers: Number.isInteger(workers) && workers > 0 ? workers : 4,
    fileParallelism: true,
    // Generous: with files in parallel on a shared 2-core host, a spawned process may start slowly.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
  },
});
