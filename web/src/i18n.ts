// UI labels in English and Simplified Chinese. Only the page's own words are
// translated; what the engine prints (boot log, /proc, error details) is the
// kernel's text and stays as the kernel would print it.

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

const en = {
  title: 'Linux 6.1 memory playground',
  specLabel: 'Machine',
  specPlaceholder: 'e.g. ram=1G cpus=2',
  boot: 'Boot',
  tabLog: 'Kernel log',
  tabProc: '/proc',
  tabScenario: 'Scenario',
  tabOom: 'OOM replay',
  tabDmesg: 'Real dmesg',
  procLabel: 'File',
  dmesgHelp:
    'Paste the dmesg of a real Linux 6.1 boot (memblock=debug gives the most detail) and boot a machine shaped like it.',
  dmesgPlaceholder: 'Linux version 6.1.0-… \nBIOS-provided physical RAM map: …',
  dmesgBoot: 'Boot from this dmesg',
  dmesgName: 'pasted dmesg',
  loadingEngine: 'Loading the engine…',
  booting: 'Booting {what}…',
  booted: 'Booted {what}',
  summary: '{what} · {frames} page frames · {events} events',
  noMachine: 'No machine yet.',
  bootFailed: 'Could not boot {what}. The previous machine is still running.',
  procFailed: 'Could not read /proc/{name}.',
  engineFailed: 'The engine could not be loaded.',
  dismiss: 'Dismiss',
  langButton: '中文',
  langButtonTitle: 'Switch to Simplified Chinese',

  allocTitle: 'Allocate pages',
  allocHelp: 'alloc_pages() on the running machine. Enter allocates.',
  allocGfp: 'gfp mask',
  allocOrder: 'Order',
  allocCpu: 'CPU',
  allocNode: 'Node',
  allocNodeAuto: 'auto',
  allocNodeTitle: "Preferred node; empty: the CPU's node",
  allocButton: 'Allocate',
  drainButton: 'Drain pcp lists',
  drainTitle: "drain_all_pages(): empty every CPU's per-CPU lists into the buddy lists",
  liveTitle: 'Live allocations',
  liveEmpty: 'Nothing allocated from this panel yet.',
  colPfn: 'pfn',
  colOrder: 'order',
  colPages: 'pages',
  colZone: 'zone',
  freeButton: 'Free',
  freeLabel: 'Free pfn {pfn} (order {order})',
  allocOk: 'Allocated pfn {pfn}, order {order} ({pages} pages) from Node {node} {zone}.',
  allocFailed: 'The allocation failed: out of memory.',
  allocRefused: 'The allocator refused this request; nothing changed.',
  freed: 'Freed pfn {pfn} (order {order}).',
  freeRefused: 'Could not free pfn {pfn}; nothing changed.',
  drained: "Drained every CPU's per-CPU lists into the buddy lists.",
  drainRefused: 'Could not drain; nothing changed.',
  needMachine: 'Boot a machine first.',

  scenarioHelp:
    'One statement per line: machine, spawn, grow, alloc, free, kmalloc, proc, expect… (README.md lists them). The machine the scenario boots stays on screen. Ctrl+Enter runs it.',
  scenarioRun: 'Run',
  scenarioRunTitle: 'Run the scenario (Ctrl+Enter)',
  scenarioName: 'scenario',
  runningScenario: 'Running the scenario…',
  scenarioOk: 'The scenario ran: {passed} expect lines passed.',
  scenarioFailed: 'The scenario ran with {problems} problem(s): {passed} expect lines passed, {failed} failed.',
  scenarioParseError: 'Error at line {line}, column {col}; nothing ran and the machine is unchanged.',
  scenarioOutput: 'Output',
  scenarioNoOutput: '(the scenario printed nothing)',
  jumpTitle: 'Go to line {line}, column {col}',
  scenarioLogHint: 'Kernel messages (OOM reports…) are in the Kernel log tab.',

  oomHelp:
    "Paste a kernel log with OOM reports (dmesg, journalctl -k or syslog). Each report's task table is ranked again with the engine's oom_badness. The running machine is not touched. Ctrl+Enter replays.",
  oomPlaceholder: 'hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, …',
  oomReplay: 'Replay',
  oomReplayTitle: 'Replay the OOM reports (Ctrl+Enter)',
  oomFailed: 'Could not replay this log.',
  replaying: 'Replaying the OOM reports…',

  helpButtonTitle: 'Keyboard shortcuts (?)',
  helpTitle: 'Keyboard shortcuts',
  helpTab: 'Move between controls',
  helpArrows: 'On a tab: switch tabs',
  helpEnter: 'In the machine box: boot. In the Allocate panel: allocate. On a button: press it',
  helpCtrlEnter: 'In a text area: run the scenario, replay the log, or boot the pasted dmesg',
  helpQuestion: 'Outside a text box: show this help',
  helpEsc: 'Close this help',
  helpClose: 'Close',
} as const;

export type MessageKey = keyof typeof en;
type Messages = { readonly [K in MessageKey]: string };

const zh: Messages = {
  title: 'Linux 6.1 内存管理演练场',
  specLabel: '机器',
  specPlaceholder: '例如 ram=1G cpus=2',
  boot: '启动',
  tabLog: '内核日志',
  tabProc: '/proc',
  tabScenario: '场景',
  tabOom: 'OOM 重放',
  tabDmesg: '真实 dmesg',
  procLabel: '文件',
  dmesgHelp: '粘贴一次真实 Linux 6.1 启动的 dmesg（加上 memblock=debug 信息最全），按它的样子启动一台机器。',
  dmesgPlaceholder: 'Linux version 6.1.0-… \nBIOS-provided physical RAM map: …',
  dmesgBoot: '用这段 dmesg 启动',
  dmesgName: '粘贴的 dmesg',
  loadingEngine: '正在加载引擎…',
  booting: '正在启动 {what}…',
  booted: '已启动 {what}',
  summary: '{what} · {frames} 个页帧 · {events} 个事件',
  noMachine: '还没有机器。',
  bootFailed: '无法启动 {what}。之前的机器仍在运行。',
  procFailed: '无法读取 /proc/{name}。',
  engineFailed: '引擎加载失败。',
  dismiss: '关闭',
  langButton: 'English',
  langButtonTitle: '切换到英文',

  allocTitle: '分配页面',
  allocHelp: '在运行中的机器上调用 alloc_pages()。按 Enter 分配。',
  allocGfp: 'gfp 掩码',
  allocOrder: '阶',
  allocCpu: 'CPU',
  allocNode: '节点',
  allocNodeAuto: '自动',
  allocNodeTitle: '首选节点；留空表示 CPU 所在节点',
  allocButton: '分配',
  drainButton: '清空 pcp 列表',
  drainTitle: 'drain_all_pages()：把每个 CPU 的每 CPU 页列表清空回伙伴系统',
  liveTitle: '已分配的块',
  liveEmpty: '还没有从这里分配的块。',
  colPfn: 'pfn',
  colOrder: '阶',
  colPages: '页数',
  colZone: '区',
  freeButton: '释放',
  freeLabel: '释放 pfn {pfn}（阶 {order}）',
  allocOk: '已从节点 {node} 的 {zone} 区分配 pfn {pfn}，阶 {order}（{pages} 页）。',
  allocFailed: '分配失败：内存不足。',
  allocRefused: '分配器拒绝了这个请求；没有任何改变。',
  freed: '已释放 pfn {pfn}（阶 {order}）。',
  freeRefused: '无法释放 pfn {pfn}；没有任何改变。',
  drained: '已把所有 CPU 的每 CPU 页列表清空回伙伴系统。',
  drainRefused: '无法清空；没有任何改变。',
  needMachine: '请先启动一台机器。',

  scenarioHelp:
    '每行一条语句：machine、spawn、grow、alloc、free、kmalloc、proc、expect……（完整列表见 README.md）。场景启动的机器会保留在页面上。按 Ctrl+Enter 运行。',
  scenarioRun: '运行',
  scenarioRunTitle: '运行场景（Ctrl+Enter）',
  scenarioName: '场景',
  runningScenario: '正在运行场景…',
  scenarioOk: '场景已运行：{passed} 条 expect 全部通过。',
  scenarioFailed: '场景已运行，有 {problems} 个问题：{passed} 条 expect 通过，{failed} 条失败。',
  scenarioParseError: '第 {line} 行第 {col} 列有错误；没有运行任何语句，机器保持不变。',
  scenarioOutput: '输出',
  scenarioNoOutput: '（场景没有输出）',
  jumpTitle: '跳到第 {line} 行第 {col} 列',
  scenarioLogHint: '内核消息（OOM 报告等）在“内核日志”标签页中。',

  oomHelp:
    '粘贴含有 OOM 报告的内核日志（dmesg、journalctl -k 或 syslog）。引擎用自己的 oom_badness 重新给每份报告的任务表排序。运行中的机器不受影响。按 Ctrl+Enter 重放。',
  oomPlaceholder: 'hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, …',
  oomReplay: '重放',
  oomReplayTitle: '重放 OOM 报告（Ctrl+Enter）',
  oomFailed: '无法重放这段日志。',
  replaying: '正在重放 OOM 报告…',

  helpButtonTitle: '键盘快捷键（?）',
  helpTitle: '键盘快捷键',
  helpTab: '在控件之间移动',
  helpArrows: '在标签上：切换标签页',
  helpEnter: '在机器输入框中：启动。在分配面板中：分配。在按钮上：按下它',
  helpCtrlEnter: '在文本区中：运行场景、重放日志或用粘贴的 dmesg 启动',
  helpQuestion: '不在输入框中时：显示本帮助',
  helpEsc: '关闭本帮助',
  helpClose: '关闭',
};

const catalogs: Record<Lang, Messages> = { en, zh };

export type Params = Record<string, string | number>;

/** The label `key` in `lang`, with {name} placeholders filled from `params`. */
export function t(lang: Lang, key: MessageKey, params: Params = {}): string {
  return catalogs[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

const STORAGE_KEY = 'mm-playground.lang';

export function loadLang(storage: Storage | null): Lang {
  try {
    const v = storage?.getItem(STORAGE_KEY);
    return v === 'zh' || v === 'en' ? v : 'en';
  } catch {
    return 'en'; // storage may be disabled; the page still works
  }
}

export function saveLang(storage: Storage | null, lang: Lang): void {
  try {
    storage?.setItem(STORAGE_KEY, lang);
  } catch {
    /* not remembered, not fatal */
  }
}

export function otherLang(lang: Lang): Lang {
  return lang === 'en' ? 'zh' : 'en';
}
