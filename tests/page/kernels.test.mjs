// The two kernel profiles as the page sees them (model/kernels.ts): kernel=
// in a shorthand, the profile a boot log names first, compareKernels' rows
// grouped for the compare view; what booted the machine on screen
// (model/session.ts bootSource); the model's compare and kernel fields.
// Checked against the node build of the engine where the engine has the answer.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newEngine, page } from './support.mjs';

const reference = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/reference');

let K;
let S;
let M;
before(async () => {
  K = await page('model/kernels.js');
  S = await page('model/session.js');
  M = await page('model/page.js');
});

test('withKernel sets kernel= in place, adds it at the end, keeps one', () => {
  assert.equal(K.withKernel('ram=1G cpus=2', '6.12'), 'ram=1G cpus=2 kernel=6.12');
  assert.equal(K.withKernel('ram=1G cpus=2 kernel=6.12', '6.1'), 'ram=1G cpus=2 kernel=6.1');
  assert.equal(K.withKernel('ram=1G kernel=6.1 cpus=2', '6.12'), 'ram=1G kernel=6.12 cpus=2');
  // A second kernel= (which the engine refuses) goes; so does a bad value.
  assert.equal(K.withKernel('kernel=5.15 ram=1G kernel=6.1', '6.12'), 'kernel=6.12 ram=1G');
  assert.equal(
    K.withKernel('  ram=2G \t cpus=2  nodes=1G:0,1G:1 ', '6.12'),
    'ram=2G cpus=2 nodes=1G:0,1G:1 kernel=6.12',
  );
  // kernelcore= is another key.
  assert.equal(K.withKernel('ram=2G kernelcore=1G', '6.12'), 'ram=2G kernelcore=1G kernel=6.12');
  assert.equal(K.withKernel('', '6.1'), 'kernel=6.1');
});

test('specKernel reads kernel= as written; isKernel knows the two profiles', () => {
  assert.equal(K.specKernel('ram=1G cpus=2'), null);
  assert.equal(K.specKernel('ram=1G kernel=6.12 cpus=2'), '6.12');
  assert.equal(K.specKernel('ram=2G kernelcore=1G'), null);
  assert.equal(K.specKernel('ram=1G kernel=6.5'), '6.5');
  assert.deepEqual([...K.KERNELS], ['6.1', '6.12']);
  assert.equal(K.DEFAULT_KERNEL, '6.1');
  assert.ok(K.isKernel('6.12') && K.isKernel('6.1') && !K.isKernel('6.5') && !K.isKernel(''));
});

test("logKernel: the profile the engine's boot log names first", async () => {
  assert.equal(K.logKernel(''), null);
  const e = await newEngine();
  try {
    const boot = (spec) => {
      assert.equal(e.bootShorthand(spec).ok, true, spec);
      return K.logKernel(e.bootLog());
    };
    const plain = { release: null, fromLog: false, unmodelled: false };
    assert.deepEqual(boot('ram=1G cpus=2'), { profile: '6.1', ...plain });
    assert.deepEqual(boot('ram=1G cpus=2 kernel=6.1'), { profile: '6.1', ...plain });
    assert.deepEqual(boot('ram=1G cpus=2 kernel=6.12'), { profile: '6.12', ...plain });

    const dmesg = (text) => {
      assert.equal(e.bootDmesg(text, 'pasted').ok, true, e.bootDmesg(text, 'pasted').error);
      return K.logKernel(e.bootLog());
    };
    const log612 = readFileSync(path.join(reference, 'linux-6.12/m1g-smp2/dmesg.txt'), 'utf8');
    const log61 = readFileSync(path.join(reference, 'linux-6.1/m1g-smp2/dmesg.txt'), 'utf8');
    assert.deepEqual(dmesg(log612), {
      profile: '6.12',
      release: '6.12.117+deb12-amd64',
      fromLog: true,
      unmodelled: false,
    });
    assert.deepEqual(dmesg(log61), { profile: '6.1', release: '6.1.0-56-amd64', fromLog: true, unmodelled: false });
    assert.deepEqual(dmesg(log612.replace('6.12.117+deb12', '5.15.0')), {
      profile: '6.1',
      release: '5.15.0-amd64',
      fromLog: true,
      unmodelled: true,
    });
    // A log without its "Linux version" line boots the default profile and says nothing.
    const noBanner = log61
      .split('\n')
      .filter((l) => !l.includes('Linux version'))
      .join('\n');
    assert.deepEqual(dmesg(noBanner), { profile: '6.1', ...plain });
  } finally {
    e.delete();
  }
});

test('diffGroup and groupDiffs: every row of the engine in a section, the engine order kept', async () => {
  assert.equal(K.diffGroup('Node 0 DMA32 managed'), 'zones');
  assert.equal(K.diffGroup('Node 1 Normal protection'), 'zones');
  assert.equal(K.diffGroup('Node 0 DMA32 cpu 1 pcp high'), 'pcp');
  assert.equal(K.diffGroup('Node 0 Normal cpu 0 pcp batch'), 'pcp');
  assert.equal(K.diffGroup('totalram_pages'), 'globals');
  assert.equal(K.diffGroup('min_free_kbytes'), 'globals');
  assert.equal(K.diffGroup('log: Built'), 'log');
  assert.equal(K.diffGroup('log: NUMA: Node'), 'log');
  assert.equal(K.diffGroup('log: Freeing unused kernel image (initmem)'), 'log');
  assert.equal(K.diffGroup('zoneinfo: nr_iommu_pages'), 'proc');

  const e = await newEngine();
  try {
    const cat = JSON.parse(e.catalogue());
    const codes = new Map(cat.kernelDiffs.map((d) => [d.code, d]));
    for (const spec of [
      'ram=1G cpus=2',
      'ram=2G cpus=2 nodes=1G:0,1G:1',
      'ram=256M cpus=1',
      'ram=4G cpus=4 kernelcore=1G',
    ]) {
      const r = e.compareKernels(spec);
      assert.equal(r.ok, true, r.error);
      const rows = K.parseDiffs(r.text);
      assert.ok(rows && rows.length > 0, spec);
      const groups = K.groupDiffs(rows);
      // Sections in their order, none empty, every row once, each section in the engine's order.
      const order = groups.map((g) => K.DIFF_GROUPS.indexOf(g.group));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        spec,
      );
      assert.ok(groups.every((g) => g.rows.length > 0));
      assert.deepEqual(
        groups.flatMap((g) => g.rows),
        K.DIFF_GROUPS.flatMap((name) => rows.filter((x) => K.diffGroup(x.what) === name)),
      );
      assert.equal(groups.flatMap((g) => g.rows).length, rows.length);
      // Every reason has its sentence in both languages.
      for (const row of rows) {
        const d = codes.get(row.why);
        assert.ok(d && d.en && d.zh, `${spec}: ${row.what}: reason ${row.why}`);
      }
    }
    // The machine of the browser test: the figures it checks.
    const rows = K.parseDiffs(e.compareKernels('ram=1G cpus=2').text);
    const row = (what) => rows.find((x) => x.what === what);
    assert.deepEqual(row('Node 0 DMA32 managed'), {
      what: 'Node 0 DMA32 managed',
      v6_1: '242033',
      v6_12: '243796',
      why: 'image',
    });
    assert.equal(row('log: Built').why, 'total_pages');
    assert.deepEqual(
      K.groupDiffs(rows).map((g) => g.group),
      ['zones', 'pcp', 'globals', 'log', 'proc'],
    );
  } finally {
    e.delete();
  }
});

test('parseDiffs takes only the engine list', () => {
  assert.deepEqual(K.parseDiffs('[]'), []);
  assert.deepEqual(K.parseDiffs('[{"what":"a","v6_1":"","v6_12":"1","why":"promo"}]'), [
    { what: 'a', v6_1: '', v6_12: '1', why: 'promo' },
  ]);
  assert.equal(K.parseDiffs(''), null);
  assert.equal(K.parseDiffs('{}'), null);
  assert.equal(K.parseDiffs('[{"what":"a","v6_1":1,"v6_12":"1","why":"x"}]'), null);
  assert.equal(K.parseDiffs('[null]'), null);
});

test('bootSource: what booted the newest machine of a session', () => {
  const boot = (spec) => ({ kind: 'boot', machine: { kind: 'shorthand', spec } });
  assert.equal(S.bootSource([]), null);
  assert.deepEqual(S.bootSource([boot('ram=1G cpus=2 kernel=6.12')]), {
    kind: 'shorthand',
    spec: 'ram=1G cpus=2 kernel=6.12',
  });
  assert.deepEqual(
    S.bootSource([
      { kind: 'boot', machine: { kind: 'dmesg', text: 'Linux version 6.12.1' } },
      { kind: 'command', text: 'alloc order=3' },
    ]),
    { kind: 'dmesg' },
  );
  // A scenario's last machine line (its comment cut) boots what runs after it.
  const scenario = {
    kind: 'scenario',
    text: '# two machines\nmachine ram=128M cpus=1\nspawn A anon=8M\n  machine ram=256M cpus=1 kernel=6.12 # the second\nspawn B anon=8M\n',
  };
  assert.deepEqual(S.bootSource([boot('ram=1G cpus=2'), scenario, { kind: 'command', text: 'kmalloc p 200' }]), {
    kind: 'shorthand',
    spec: 'ram=256M cpus=1 kernel=6.12',
  });
  assert.deepEqual(S.bootSource([{ kind: 'scenario', text: 'dmesg boot.txt\n' }]), { kind: 'dmesg' });
  // Statements that boot nothing: the boot before them.
  assert.deepEqual(S.bootSource([boot('ram=128M cpus=1'), { kind: 'command', text: 'spawn machine anon=8M' }]), {
    kind: 'shorthand',
    spec: 'ram=128M cpus=1',
  });
});

test('the model: the kernel of the machine on screen, the compare view', () => {
  const m0 = M.initialModel('en', 'ram=1G cpus=2');
  assert.equal(m0.kernel, null);
  assert.equal(m0.booted, null);
  assert.deepEqual(m0.compare, { spec: null, rows: null, needShorthand: false });
  assert.ok(M.TABS.includes('compare'));

  const machine = (bootLog) => ({ label: 'x', bootLog, frameCount: 1, eventCount: 1 });
  const note =
    'mm-playground: Linux 6.12 profile: the pages the early boot takes ...\nBIOS-provided physical RAM map:\n';
  const m1 = M.bootSucceeded(m0, machine(note), ['zoneinfo']);
  assert.equal(m1.kernel.profile, '6.12');
  // The cursor before the boot's first line: the profile stays; another log, its profile.
  assert.equal(M.machineChanged(m1, machine('')).kernel.profile, '6.12');
  assert.equal(M.machineChanged(m1, machine('BIOS-provided physical RAM map:\n')).kernel.profile, '6.1');

  const rows = [{ what: 'Node 0 DMA32 managed', v6_1: '242033', v6_12: '243796', why: 'image' }];
  const busy = M.withBusy(m1, M.notice('comparing', { what: 'ram=1G cpus=2' }));
  const ok = M.compared(busy, 'ram=1G cpus=2', rows, '');
  assert.deepEqual(ok.compare, { spec: 'ram=1G cpus=2', rows, needShorthand: false });
  assert.equal(ok.busy, null);
  assert.equal(ok.error, null);
  const refused = M.compared(busy, 'ram=1Q', null, '<machine>:1:5: error: bad size');
  assert.deepEqual(refused.compare, { spec: 'ram=1Q', rows: null, needShorthand: false });
  assert.equal(refused.error.key, 'compareFailed');
  assert.deepEqual(refused.error.params, { what: 'ram=1Q' });
  assert.equal(refused.error.detail, '<machine>:1:5: error: bad size');
  assert.equal(refused.busy, null);
  assert.deepEqual(M.compareNeedsShorthand(ok).compare, { spec: null, rows: null, needShorthand: true });
});
