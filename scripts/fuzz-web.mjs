// Fuzzes the page's input checkers for a while (issue 15): the URL state
// (embed/urlstate.ts) and the embed's postMessage messages (embed/api.ts),
// with the properties of tests/page/fuzzprops.mjs (tests/page/fuzz.test.mjs
// runs a few thousand of the same cases in CI).
//   node scripts/fuzz-web.mjs [seconds-per-target=60] [urlstate|messages ...]
// Needs the page's compiled modules (node scripts/build-web.mjs). Seeded from
// the clock, or MM_FUZZ_SEED. Prints per target the cases run, cases/s, how
// many inputs had problems (refusals) and how many were clean, the distinct
// problem texts reached (their quoted values taken out: a rough coverage
// figure), and the findings: 0, or the first broken property with the seed
// that reruns its input (MM_FUZZ_SEED=... node --test tests/page/fuzz.test.mjs).
// Exit status: 1 on a finding, 2 on bad arguments.
import { TARGETS, envSeed, run } from '../tests/page/fuzzprops.mjs';

const args = process.argv.slice(2);
let seconds = 60;
if (args.length > 0 && /^\d+(\.\d+)?$/.test(args[0])) seconds = Number(args.shift());
const targets = args.length > 0 ? args : Object.keys(TARGETS);
for (const t of targets) {
  if (!(t in TARGETS)) {
    console.error(`fuzz-web: no target ${t} (targets: ${Object.keys(TARGETS).join(', ')})`);
    process.exit(2);
  }
}

const base = envSeed() ?? Date.now() >>> 0;
let findings = 0;
for (const [i, target] of targets.entries()) {
  const seed = (base + i) >>> 0;
  console.log(`${target}: ${seconds} s from seed 0x${seed.toString(16)}`);
  const f = await run(target, { seed, seconds });
  const rate = Math.round(f.cases / f.seconds);
  const share = (n) => `${n} (${((100 * n) / Math.max(f.problems + f.clean, 1)).toFixed(1)}%)`;
  console.log(`  cases          ${f.cases} in ${f.seconds.toFixed(1)} s, ${rate}/s`);
  if (f.problems + f.clean < f.cases) console.log(`  other cases    ${f.cases - f.problems - f.clean} (texts)`);
  console.log(`  with problems  ${share(f.problems)}`);
  console.log(`  clean          ${share(f.clean)}`);
  console.log(`  distinct problem texts ${f.templates.size}:`);
  for (const t of [...f.templates].sort()) console.log(`    ${t}`);
  if (f.finding) {
    findings++;
    console.log(`  findings       1: ${f.finding.message}`);
  } else console.log('  findings       0');
}
process.exit(findings > 0 ? 1 : 0);
