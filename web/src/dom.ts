// The elements of index.html the page works with, looked up once.

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
  };
}
