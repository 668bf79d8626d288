// Puts the matrix's table (matrix-report.md, written by .ci/matrix.sh) into docs/compatibility.md
// between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const page = 'docs/compatibility.md';
const [reportPath = 'matrix-report.md'] = process.argv.slice(2);
const text = readFileSync(page, 'utf8');
const table = readFileSync(reportPath, 'utf8').trim();
const start = '<!-- matrix:start -->';
const end = '<!-- matrix:end -->';
const [before, rest] = text.split(start);
if (rest === undefined || !rest.includes(end)) throw new Error(`${page} has no matrix markers`);
writeFileSync(page, `${before}${start}\n${table}\n${end}${rest.slice(rest.indexOf(end) + end.length)}`);
