// Tokenises .regel files with the extension's TextMate grammar, as VS Code does (vscode-textmate
// with the Oniguruma regular expressions of VS Code), and writes every token with its scopes as
// JSON on stdout: [{file, tokens: [[line, start, end, text, scope], ...]}]. The Python test
// (tests/test_vscode.py) reads it.
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

async function main(files) {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => {
      const file = path.join(__dirname, "..", "syntaxes", "regel.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  const grammar = await registry.loadGrammar("source.regel");
  const out = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    let state = vsctm.INITIAL;
    const tokens = [];
    lines.forEach((line, number) => {
      const result = grammar.tokenizeLine(line, state);
      for (const t of result.tokens) {
        const scope = t.scopes[t.scopes.length - 1];
        tokens.push([number + 1, t.startIndex, t.endIndex, line.slice(t.startIndex, t.endIndex), scope]);
      }
      state = result.ruleStack;
    });
    out.push({ file, tokens });
  }
  process.stdout.write(JSON.stringify(out));
}

const args = process.argv.slice(2);
if (args[0] === "--self-test") {
  main([path.join(__dirname, "..", "..", "..", "policies", "voorbeeld", "wet.regel")]).then(
    () => process.stdout.write("\n"),
  );
} else {
  main(args).catch((error) => {
    process.stderr.write(String(error.stack || error) + "\n");
    process.exit(1);
  });
}
