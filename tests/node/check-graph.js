// Reads an exported graph as graphology does. Usage: node check-graph.js gexf|graphml FILE
// Prints one JSON object: the counts, and every node and edge with its attributes, for the
// Python test to compare with the other formats.
"use strict";
const fs = require("fs");
const Graph = require("graphology");
const gexf = require("graphology-gexf");
const graphml = require("graphology-graphml");

async function main() {
  const [format, file] = process.argv.slice(2);
  const text = fs.readFileSync(file, "utf8");
  const out = {};
  const G = format === "gexf" ? gexf.parse(Graph, text) : graphml.parse(Graph, text);
  out.type = G.type;
  out.multi = G.multi;
  out.order = G.order;
  out.size = G.size;
  out.nodes = G.mapNodes((node, attrs) => [node, attrs]);
  out.edges = G.mapEdges((edge, attrs, source, target) => [edge, source, target, attrs]);
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + "\n");
  process.exit(1);
});
