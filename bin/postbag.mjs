#!/usr/bin/env node
// Entry point for `npx postbag …` and `npm start`. Postbag runs from its TypeScript sources
// through tsx, so a fresh clone works right after `npm install` with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main/cli.ts");
process.exitCode = await main(process.argv.slice(2));
