// Lints Cypher statements with Neo4j's own front end (@neo4j-cypher/language-support), in
// each Cypher version asked for. Usage: node lint-cypher.js 5,25 < statements.json, where the
// input is [{"name", "text", "parameters"}]; prints [{"name", "version", "diagnostics":
// [{"severity", "message"}]}] (severity 1: error, 2: warning — deprecations among them).
"use strict";
const fs = require("fs");
const { lintCypherQuery } = require("@neo4j-cypher/language-support");

function main() {
  const versions = (process.argv[2] || "5,25").split(",");
  const statements = JSON.parse(fs.readFileSync(0, "utf8"));
  const out = [];
  for (const { name, text, parameters } of statements) {
    for (const version of versions) {
      const { diagnostics } = lintCypherQuery(`CYPHER ${version}\n${text}`, { parameters: parameters || {} });
      out.push({ name, version, diagnostics: diagnostics.map((d) => ({ severity: d.severity, message: d.message })) });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

try {
  main();
} catch (err) {
  process.stderr.write(String((err && err.stack) || err) + "\n");
  process.exit(1);
}
