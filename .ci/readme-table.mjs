// Puts the matrix's table (matrix-report.md, written by .ci/matrix.sh) into README.md between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const [reportPath = 'matrix-report.md'] = process.argv.slice(2);
const readme = readFileSync('README.md', 'utf8');
const table = readFileSync(reportPath, 'utf8').trim();
const start = '<!-- matrix:start -->';
const end = '<!-- matrix:end -->';
const [before, rest] = readme.split(start);
if (rest === undefined || !rest.includes(end)) throw new Error('README.md has no matrix markers');
writeFileSync('README.md', `${before}${start}\n${table}\n${end}${rest.slice(rest.indexOf(end) + end.length)}`);
