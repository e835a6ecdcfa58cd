// The two kernel profiles the engine models (Linux 6.1, the default, and
// 6.12) as the page sees them: the kernel= key of a machine shorthand (the
// shorthand stays the one source of truth: the switch only rewrites it), the
// profile a booted machine follows as its boot log's first line says, and
// compareKernels' rows grouped for the compare view. Plain data and
// functions: nothing here knows about the DOM or the engine.

/** The profiles a shorthand's kernel= takes (engine/text/parse/shorthand.cpp). */
export const KERNELS = ['6.1', '6.12'] as const;
export type Kernel = (typeof KERNELS)[number];
/** What a machine boots without kernel= (and a log without a "Linux version" line). */
export const DEFAULT_KERNEL: Kernel = '6.1';

const KERNEL_TOKEN = /^kernel=/;

/** Whether `v` names a profile the engine models. */
export function isKernel(v: string): v is Kernel {
  return (KERNELS as readonly string[]).includes(v);
}

/**
 * `spec` with its kernel= set to `kernel`: the first kernel= of the text
 * is replaced where it stands (any other kernel= goes), else kernel= is
 * added at the end. The other keys keep their order; words are rejoined by
 * one space.
 */
export function withKernel(spec: string, kernel: Kernel): string {
  const token = `kernel=${kernel}`;
  const out: string[] = [];
  let placed = false;
  for (const w of spec.split(/\s+/)) {
    if (w === '') continue;
    if (!KERNEL_TOKEN.test(w)) out.push(w);
    else if (!placed) {
      out.push(token);
      placed = true;
    }
  }
  if (!placed) out.push(token);
  return out.join(' ');
}

/** The value of the shorthand's kernel= (the first one), as written; null without one. */
export function specKernel(spec: string): string | null {
  for (const w of spec.split(/\s+/)) if (KERNEL_TOKEN.test(w)) return w.slice('kernel='.length);
  return null;
}

/** The profile a booted machine follows, as its boot log says. */
export interface KernelInfo {
  /** The engine's profile: "6.1" or "6.12" (another name should the engine model more). */
  profile: string;
  /** The release a pasted dmesg's "Linux version" line named ("6.12.117+deb12-amd64"); null for a shorthand. */
  release: string | null;
  /** A pasted log's "Linux version" line picked the profile (the log decides, not a shorthand). */
  fromLog: boolean;
  /** That release is not a version the engine models: the nearest profile booted. */
  unmodelled: boolean;
}

// The engine's first lines (engine/text/parse/dmesg.cpp, engine/mm/boot/boot_model.cpp):
//   mm-playground: Linux 6.12.117+deb12-amd64: booted with the engine's Linux 6.12 profile
//   mm-playground: warning: Linux 5.15.0 is not a version the engine models (...): booted with the nearest, 6.1; ...
//   mm-playground: Linux 6.12 profile: the pages the early boot takes ... (a shorthand's kernel=6.12)
const FROM_LOG = /^mm-playground: Linux (\S+): booted with the engine's Linux (\S+) profile/;
const UNMODELLED =
  /^mm-playground: warning: Linux (\S+) is not a version the engine models\b.*?booted with the nearest, ([^\s;,]+)/;
const PROFILE = /^mm-playground: Linux (\S+) profile:/;

/**
 * The profile of the machine whose kernel log is `bootLog` (the engine
 * prints which one first, for every boot but the default's); null for an
 * empty log (the cursor before the boot's first line).
 */
export function logKernel(bootLog: string): KernelInfo | null {
  if (bootLog === '') return null;
  const nl = bootLog.indexOf('\n');
  const first = nl < 0 ? bootLog : bootLog.slice(0, nl);
  let m = FROM_LOG.exec(first);
  if (m) return { profile: m[2]!, release: m[1]!, fromLog: true, unmodelled: false };
  m = UNMODELLED.exec(first);
  if (m) return { profile: m[2]!, release: m[1]!, fromLog: true, unmodelled: true };
  m = PROFILE.exec(first);
  if (m) return { profile: m[1]!, release: null, fromLog: false, unmodelled: false };
  return { profile: DEFAULT_KERNEL, release: null, fromLog: false, unmodelled: false };
}

// --- The compare view ------------------------------------------------------------

/** One figure that differs (compareKernels' JSON); "" where a kernel does not print it. */
export interface KernelDiffRow {
  what: string;
  v6_1: string;
  v6_12: string;
  /** A code of the catalogue's kernelDiffs. */
  why: string;
}

/** The compare view's sections, in the order they are shown. */
export const DIFF_GROUPS = ['zones', 'pcp', 'globals', 'log', 'proc'] as const;
export type DiffGroup = (typeof DIFF_GROUPS)[number];

/** Which section a row of engine/session/compare.cpp goes in, by its `what`. */
export function diffGroup(what: string): DiffGroup {
  if (what.startsWith('log: ')) return 'log';
  if (/^\w+: /.test(what)) return 'proc'; // "zoneinfo: nr_iommu_pages": a /proc file's field
  if (/^Node \d+ \S+ cpu \d+ pcp /.test(what)) return 'pcp';
  if (what.startsWith('Node ')) return 'zones';
  return 'globals';
}

/** The rows by section (DIFF_GROUPS' order, empty ones left out), each in the engine's order. */
export function groupDiffs(rows: readonly KernelDiffRow[]): { group: DiffGroup; rows: KernelDiffRow[] }[] {
  return DIFF_GROUPS.map((group) => ({ group, rows: rows.filter((r) => diffGroup(r.what) === group) })).filter(
    (g) => g.rows.length > 0,
  );
}

/** compareKernels' text as rows; null when it is not the engine's list. */
export function parseDiffs(text: string): KernelDiffRow[] | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(v)) return null;
  const rows: KernelDiffRow[] = [];
  for (const r of v as unknown[]) {
    if (typeof r !== 'object' || r === null) return null;
    const { what, v6_1, v6_12, why } = r as Record<string, unknown>;
    if (typeof what !== 'string' || typeof v6_1 !== 'string' || typeof v6_12 !== 'string' || typeof why !== 'string')
      return null;
    rows.push({ what, v6_1, v6_12, why });
  }
  return rows;
}
