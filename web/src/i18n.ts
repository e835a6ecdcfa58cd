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
  tabLog: 'Boot log',
  tabProc: '/proc',
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
} as const;

export type MessageKey = keyof typeof en;
type Messages = { readonly [K in MessageKey]: string };

const zh: Messages = {
  title: 'Linux 6.1 内存管理演练场',
  specLabel: '机器',
  specPlaceholder: '例如 ram=1G cpus=2',
  boot: '启动',
  tabLog: '启动日志',
  tabProc: '/proc',
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
