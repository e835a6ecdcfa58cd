// The elements of index.html the page works with, looked up once.

import type { AllocForm } from './model.js';

export interface Dom {
  root: HTMLElement;
  specForm: HTMLFormElement;
  specInput: HTMLInputElement;
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

  oomText: HTMLTextAreaElement;
  oomRun: HTMLButtonElement;
  oomSummary: HTMLElement;
  oomOutput: HTMLElement;
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

    oomText: byId('oom-text', HTMLTextAreaElement),
    oomRun: byId('oom-run', HTMLButtonElement),
    oomSummary: byId('oom-summary', HTMLElement),
    oomOutput: byId('oom-output', HTMLElement),
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
