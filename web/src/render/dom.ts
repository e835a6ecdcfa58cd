// The elements of index.html the page works with, looked up once.

import type { AllocForm } from '../model/page.js';

export interface Dom {
  root: HTMLElement;
  specForm: HTMLFormElement;
  specInput: HTMLInputElement;
  /** The kernel switch: a button per profile (data-kernel="6.1", "6.12"). */
  kernelSwitch: HTMLElement;
  kernelButtons: HTMLButtonElement[];
  langButton: HTMLButtonElement;
  status: HTMLElement;
  error: HTMLElement;
  errorText: HTMLElement;
  errorDetail: HTMLElement;
  errorDismiss: HTMLButtonElement;
  tabs: HTMLButtonElement[];
  panels: HTMLElement[];
  bootLog: HTMLElement;
  procSelect: HTMLSelectElement;
  procText: HTMLElement;
  dmesgText: HTMLTextAreaElement;
  dmesgBoot: HTMLButtonElement;
  summary: HTMLElement;
  labels: HTMLElement[];

  helpButton: HTMLButtonElement;
  help: HTMLDialogElement;
  /** The lessons and quizzes (render/lesson.ts). */
  lessonsButton: HTMLButtonElement;
  lesson: HTMLElement;
  themeButton: HTMLButtonElement;
  projectorButton: HTMLButtonElement;

  allocForm: HTMLFormElement;
  allocGfp: HTMLInputElement;
  gfpChoices: HTMLDataListElement;
  allocOrder: HTMLSelectElement;
  allocCpu: HTMLInputElement;
  allocNode: HTMLInputElement;
  allocSubmit: HTMLButtonElement;
  drain: HTMLButtonElement;
  allocMessage: HTMLElement;
  allocMessageText: HTMLElement;
  allocMessageDetail: HTMLElement;
  allocTable: HTMLTableElement;
  allocList: HTMLTableSectionElement;
  allocEmpty: HTMLElement;

  scenarioText: HTMLTextAreaElement;
  scenarioRun: HTMLButtonElement;
  scenarioSummary: HTMLElement;
  scenarioFailures: HTMLUListElement;
  scenarioResult: HTMLElement;
  scenarioOutput: HTMLElement;

  compareRun: HTMLButtonElement;
  compareSummary: HTMLElement;
  compareView: HTMLElement;

  oomText: HTMLTextAreaElement;
  oomRun: HTMLButtonElement;
  oomSummary: HTMLElement;
  oomOutput: HTMLElement;

  preset: HTMLSelectElement;
  shareButton: HTMLButtonElement;
  share: HTMLDialogElement;
  shareLink: HTMLInputElement;
  shareEmbed: HTMLTextAreaElement;
  copyLink: HTMLButtonElement;
  copyEmbed: HTMLButtonElement;
  shareStatus: HTMLElement;

  map: HTMLCanvasElement;
  mapTip: HTMLElement;
  legend: HTMLElement;
  ovZones: HTMLInputElement;
  ovPageblocks: HTMLInputElement;
  ovOutlines: HTMLInputElement;
  ovFollow: HTMLInputElement;
  zoomIn: HTMLButtonElement;
  zoomOut: HTMLButtonElement;
  zoomReset: HTMLButtonElement;

  player: HTMLElement;
  pFirst: HTMLButtonElement;
  pOpStart: HTMLButtonElement;
  pBack: HTMLButtonElement;
  pPlay: HTMLButtonElement;
  pForward: HTMLButtonElement;
  pOpEnd: HTMLButtonElement;
  pLast: HTMLButtonElement;
  pSpeed: HTMLSelectElement;
  pUndo: HTMLButtonElement;
  pRedo: HTMLButtonElement;
  pScrub: HTMLInputElement;
  pMarkers: HTMLElement;
  pPosition: HTMLElement;
  narration: HTMLElement;
  nCrumbs: HTMLElement;
  nFn: HTMLElement;
  nText: HTMLElement;

  zonesView: HTMLElement;
  blocksView: HTMLElement;
  slabView: HTMLElement;
  tasksView: HTMLElement;

  cmdForm: HTMLFormElement;
  cmd: HTMLInputElement;
  cmdChoices: HTMLDataListElement;
  cmdExamples: HTMLElement;
  cmdMessage: HTMLElement;
  cmdMessageText: HTMLElement;
  cmdMessageDetail: HTMLElement;
}

function byId<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`index.html: #${id} is missing or not a ${type.name}`);
  return el;
}

export function findDom(): Dom {
  return {
    root: document.documentElement,
    specForm: byId('spec-form', HTMLFormElement),
    specInput: byId('spec', HTMLInputElement),
    kernelSwitch: byId('kernel-switch', HTMLElement),
    kernelButtons: [...document.querySelectorAll<HTMLButtonElement>('#kernel-switch button[data-kernel]')],
    langButton: byId('lang', HTMLButtonElement),
    status: byId('status', HTMLElement),
    error: byId('error', HTMLElement),
    errorText: byId('error-text', HTMLElement),
    errorDetail: byId('error-detail', HTMLElement),
    errorDismiss: byId('error-dismiss', HTMLButtonElement),
    tabs: [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')],
    panels: [...document.querySelectorAll<HTMLElement>('[role="tabpanel"]')],
    bootLog: byId('boot-log', HTMLElement),
    procSelect: byId('proc-select', HTMLSelectElement),
    procText: byId('proc-text', HTMLElement),
    dmesgText: byId('dmesg-text', HTMLTextAreaElement),
    dmesgBoot: byId('dmesg-boot', HTMLButtonElement),
    summary: byId('summary', HTMLElement),
    labels: [...document.querySelectorAll<HTMLElement>('[data-i18n]')],

    helpButton: byId('help-button', HTMLButtonElement),
    help: byId('help', HTMLDialogElement),
    lessonsButton: byId('lessons-button', HTMLButtonElement),
    lesson: byId('lesson', HTMLElement),
    themeButton: byId('theme-button', HTMLButtonElement),
    projectorButton: byId('projector-button', HTMLButtonElement),

    allocForm: byId('alloc-form', HTMLFormElement),
    allocGfp: byId('alloc-gfp', HTMLInputElement),
    gfpChoices: byId('gfp-choices', HTMLDataListElement),
    allocOrder: byId('alloc-order', HTMLSelectElement),
    allocCpu: byId('alloc-cpu', HTMLInputElement),
    allocNode: byId('alloc-node', HTMLInputElement),
    allocSubmit: byId('alloc-submit', HTMLButtonElement),
    drain: byId('drain', HTMLButtonElement),
    allocMessage: byId('alloc-message', HTMLElement),
    allocMessageText: byId('alloc-message-text', HTMLElement),
    allocMessageDetail: byId('alloc-message-detail', HTMLElement),
    allocTable: byId('alloc-table', HTMLTableElement),
    allocList: byId('alloc-list', HTMLTableSectionElement),
    allocEmpty: byId('alloc-empty', HTMLElement),

    scenarioText: byId('scenario-text', HTMLTextAreaElement),
    scenarioRun: byId('scenario-run', HTMLButtonElement),
    scenarioSummary: byId('scenario-summary', HTMLElement),
    scenarioFailures: byId('scenario-failures', HTMLUListElement),
    scenarioResult: byId('scenario-result', HTMLElement),
    scenarioOutput: byId('scenario-output', HTMLElement),

    compareRun: byId('compare-run', HTMLButtonElement),
    compareSummary: byId('compare-summary', HTMLElement),
    compareView: byId('compare-view', HTMLElement),

    oomText: byId('oom-text', HTMLTextAreaElement),
    oomRun: byId('oom-run', HTMLButtonElement),
    oomSummary: byId('oom-summary', HTMLElement),
    oomOutput: byId('oom-output', HTMLElement),

    preset: byId('preset', HTMLSelectElement),
    shareButton: byId('share-button', HTMLButtonElement),
    share: byId('share', HTMLDialogElement),
    shareLink: byId('share-link', HTMLInputElement),
    shareEmbed: byId('share-embed', HTMLTextAreaElement),
    copyLink: byId('copy-link', HTMLButtonElement),
    copyEmbed: byId('copy-embed', HTMLButtonElement),
    shareStatus: byId('share-status', HTMLElement),

    map: byId('map', HTMLCanvasElement),
    mapTip: byId('map-tip', HTMLElement),
    legend: byId('legend', HTMLElement),
    ovZones: byId('ov-zones', HTMLInputElement),
    ovPageblocks: byId('ov-pageblocks', HTMLInputElement),
    ovOutlines: byId('ov-outlines', HTMLInputElement),
    ovFollow: byId('ov-follow', HTMLInputElement),
    zoomIn: byId('zoom-in', HTMLButtonElement),
    zoomOut: byId('zoom-out', HTMLButtonElement),
    zoomReset: byId('zoom-reset', HTMLButtonElement),

    player: byId('player', HTMLElement),
    pFirst: byId('p-first', HTMLButtonElement),
    pOpStart: byId('p-opstart', HTMLButtonElement),
    pBack: byId('p-back', HTMLButtonElement),
    pPlay: byId('p-play', HTMLButtonElement),
    pForward: byId('p-forward', HTMLButtonElement),
    pOpEnd: byId('p-opend', HTMLButtonElement),
    pLast: byId('p-last', HTMLButtonElement),
    pSpeed: byId('p-speed', HTMLSelectElement),
    pUndo: byId('p-undo', HTMLButtonElement),
    pRedo: byId('p-redo', HTMLButtonElement),
    pScrub: byId('p-scrub', HTMLInputElement),
    pMarkers: byId('p-markers', HTMLElement),
    pPosition: byId('p-position', HTMLElement),
    narration: byId('narration', HTMLElement),
    nCrumbs: byId('n-crumbs', HTMLElement),
    nFn: byId('n-fn', HTMLElement),
    nText: byId('n-text', HTMLElement),

    zonesView: byId('zones-view', HTMLElement),
    blocksView: byId('blocks-view', HTMLElement),
    slabView: byId('slab-view', HTMLElement),
    tasksView: byId('tasks-view', HTMLElement),

    cmdForm: byId('cmd-form', HTMLFormElement),
    cmd: byId('cmd', HTMLInputElement),
    cmdChoices: byId('cmd-choices', HTMLDataListElement),
    cmdExamples: byId('cmd-examples', HTMLElement),
    cmdMessage: byId('cmd-message', HTMLElement),
    cmdMessageText: byId('cmd-message-text', HTMLElement),
    cmdMessageDetail: byId('cmd-message-detail', HTMLElement),
  };
}

/** What the Allocate panel's fields hold now. An empty node box is -1 (the
 *  CPU's node); an empty or bad CPU box is NaN, which the engine refuses
 *  with a message. */
export function readAllocForm(dom: Dom): AllocForm {
  const node = dom.allocNode.value.trim();
  return {
    gfp: dom.allocGfp.value.trim(),
    order: Number(dom.allocOrder.value),
    cpu: dom.allocCpu.value.trim() === '' ? NaN : dom.allocCpu.valueAsNumber,
    node: node === '' ? -1 : dom.allocNode.valueAsNumber,
  };
}
