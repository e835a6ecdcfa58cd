// The model: everything the page shows, as plain data. Renderers only read
// it; the controller replaces it through the pure functions below. Nothing
// here knows about the DOM or the engine.

import type { Lang, MessageKey, Params } from './i18n.js';

export type Tab = 'log' | 'proc' | 'dmesg';
export const TABS: readonly Tab[] = ['log', 'proc', 'dmesg'];

/** The machine currently running in the engine. */
export interface MachineView {
  /** What the user booted: a shorthand spec, or a label for a pasted dmesg. */
  label: string;
  bootLog: string;
  frameCount: number;
  eventCount: number;
}

/** A translated sentence plus, optionally, the engine's own message. */
export interface Notice {
  key: MessageKey;
  params: Params;
  detail: string;
}

export interface PageModel {
  readonly lang: Lang;
  readonly tab: Tab;
  /** Text of the spec box (kept even when a boot fails, so it can be fixed). */
  readonly spec: string;
  /** Engine loading or a boot in progress. */
  readonly busy: Notice | null;
  readonly machine: MachineView | null;
  readonly procNames: readonly string[];
  readonly procName: string;
  readonly procText: string;
  /** The last failure; the machine above is untouched by it. */
  readonly error: Notice | null;
}

export function initialModel(lang: Lang, spec: string): PageModel {
  return {
    lang,
    tab: 'log',
    spec,
    busy: null,
    machine: null,
    procNames: [],
    procName: 'zoneinfo',
    procText: '',
    error: null,
  };
}

export const notice = (key: MessageKey, params: Params = {}, detail = ''): Notice => ({ key, params, detail });

export function withLang(m: PageModel, lang: Lang): PageModel {
  return { ...m, lang };
}

export function withTab(m: PageModel, tab: Tab): PageModel {
  return { ...m, tab };
}

export function withBusy(m: PageModel, busy: Notice | null): PageModel {
  return { ...m, busy };
}

export function bootSucceeded(m: PageModel, machine: MachineView, procNames: readonly string[]): PageModel {
  const procName = procNames.includes(m.procName) ? m.procName : (procNames[0] ?? '');
  return { ...m, machine, procNames, procName, busy: null, error: null };
}

/** A failed boot changes only the error: the running machine stays on screen. */
export function bootFailed(m: PageModel, what: string, detail: string): PageModel {
  return { ...m, busy: null, error: notice('bootFailed', { what }, detail) };
}

export function procShown(m: PageModel, procName: string, procText: string): PageModel {
  return { ...m, procName, procText };
}

export function procFailed(m: PageModel, procName: string, detail: string): PageModel {
  return { ...m, procName, procText: '', error: notice('procFailed', { name: procName }, detail) };
}

export function withError(m: PageModel, error: Notice | null): PageModel {
  return { ...m, busy: null, error };
}
