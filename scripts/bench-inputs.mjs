// Bounded work on large legitimate inputs (issue 15): generates them and
// times build/native/mmsim on each (median of RUNS), printing one line per
// case. Asserts nothing; the target is "well under a second" each.
//
//   node scripts/bench-inputs.mjs [RUNS=3]        (build the native preset first)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mmsim = process.env.MMSIM || path.join(root, 'build/native/mmsim');
const reference = path.join(root, '../shared/reference/linux-6.1/m1g-smp2/dmesg.txt');
const runs = Number(process.argv[2] || 3);
if (!existsSync(mmsim)) {
  console.error(`bench-inputs: ${mmsim} is missing: cmake --preset native && cmake --build --preset native`);
  process.exit(2);
}
const dir = mkdtempSync(path.join(tmpdir(), 'mm-inputs-'));
const lines = (first, n, line) => [first, ...Array.from({ length: n }, (_, i) => line(i))].join('\n') + '\n';

const cases = [
  [
    '100,000 echo statements on ram=1G',
    'echo.mm',
    lines('machine ram=1G cpus=2', 100_000, (i) => `echo line ${i}`),
    ['run'],
  ],
  [
    '200 tasks (spawn 16M each) on ram=8G cpus=4',
    'tasks.mm',
    lines('machine ram=8G cpus=4', 200, (i) => `spawn t${i} anon=16M`),
    ['run'],
  ],
  [
    '100,000 allocations and frees on ram=1G',
    'allocs.mm',
    lines('machine ram=1G cpus=2', 100_000, (i) => (i % 2 ? `free a${i - 1}` : `alloc a${i} order=${i % 4}`)),
    ['run'],
  ],
  [
    'a 1 MB gfp flag (refused: exit 2)',
    'gfp.mm',
    `machine ram=1G cpus=2\nalloc a gfp=GFP_KERNEL|${'X'.repeat(1 << 20)}\n`,
    ['run'],
    2,
  ],
];
if (existsSync(reference)) {
  // A real boot log padded with driver chatter to 20 MB, as long-running machines' logs are.
  let log = readFileSync(reference, 'utf8');
  const noise = [];
  let size = log.length;
  for (let i = 0; size < 20_000_000; i++) {
    const l = `[${(100 + i / 1000).toFixed(6).padStart(12)}] usb 1-1.${i % 7}: new high-speed USB device number ${i} using xhci_hcd\n`;
    noise.push(l);
    size += l.length;
  }
  log += noise.join('');
  cases.push([
    'a 20 MB dmesg (m1g-smp2 + USB chatter), boot --proc zoneinfo',
    'big.txt',
    log,
    ['boot', '--dmesg', '{}', '--proc', 'zoneinfo'],
  ]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [label, file, text, args, status = 0] of cases) {
  const p = path.join(dir, file);
  writeFileSync(p, text);
  const argv = args[0] === 'run' ? ['run', p] : args.map((a) => (a === '{}' ? p : a));
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    try {
      execFileSync(mmsim, argv, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
      if (status !== 0) throw new Error(`${label}: exit 0, expected ${status}`);
    } catch (e) {
      if (e.status !== status) throw e;
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(
    `${label}: ${(median(times) / 1000).toFixed(2)} s (median of ${runs}, ${(text.length / 1e6).toFixed(1)} MB input)`,
  );
}
rmSync(dir, { recursive: true, force: true });
