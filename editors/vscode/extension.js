// The client of `regel taalserver`: VS Code starts the server and speaks LSP with it over
// stdin and stdout. Everything the editor shows (meldingen, uitleg, hernoemen, opmaak) comes
// from the server; this file only starts it.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("regel").get("pad") || "regel";
  const server = { command, args: ["taalserver"] };
  client = new LanguageClient(
    "regel",
    "Regel",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "regel" }] }
  );
  context.subscriptions.push(client);
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `De taalserver van regel start niet (${command} taalserver): ${error.message}. ` +
        "Zet het pad naar regel in de instelling 'regel.pad'."
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
