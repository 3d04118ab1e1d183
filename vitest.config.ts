import { defineConfig } from "vitest/config";

// Test files run in parallel: most of a file's time is spent waiting (PostgreSQL, SMTP and IMAP
// servers, spawned `postbag` processes), not computing, so on a 2-core machine three files at once
// finish well before one at a time (vitest's default there: cores - 1 = 1). Every file has its own
// databases (a SQLite file or a PostgreSQL database per file) and binds port 0, so files never
// share state. POSTBAG_TEST_WORKERS overrides the count (1 runs one file at a time).
const workers = Number(process.env.POSTBAG_TEST_WORKERS ?? 3);

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Forks, not threads: better-sqlite3 and smtp-server hold native handles and sockets that are
    // simpler to reason about (and to kill) per process.
    pool: "forks",
    maxWorkers: Number.isInteger(workers) && workers > 0 ? workers : 3,
    fileParallelism: true,
    // Generous: with files in parallel on a shared 2-core host, a spawned process may start slowly.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
  },
});
