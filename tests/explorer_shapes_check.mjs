// Evaluate the explorers' arithmetic module under Node.js for tests/test_explorers.py.
// Usage: node explorer_shapes_check.mjs MODULE < cases.json > answers.json
// cases.json: [{op, params, x?, w?}, ...]; each answer is {size, error, param} and,
// for a case with x (a valid configuration), the values the module computes.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);
const shapes = require(resolve(process.argv[2]));
const cases = JSON.parse(readFileSync(0, "utf8"));
const answers = cases.map(({ op, params, x, w }) => {
  const answer = shapes.outputSize(op, params);
  if (x && !answer.error) {
    // JSON has no -Infinity: a window that reads padding only comes back as null.
    answer.values = shapes.forward(op, params, x, w).map((v) => (Number.isFinite(v) ? v : null));
  }
  return answer;
});
process.stdout.write(JSON.stringify(answers));
