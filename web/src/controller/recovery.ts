// When the wasm instance dies (engine/client.ts: EngineCrash, an abort or a
// trap of the instance): a new instance, and the session the page showed
// before the call that killed it, rebuilt as a link rebuilds one. The
// client tells us while that call unwinds; the page's last refresh
// (ctx.shown) is then still the state before it, and linkState() turns it
// into the link's state, opened on the new instance by the controller's
// open (controller.ts). The failed call is not run again. Should the
// replay stop the instance too, the page goes on with an empty engine.
// Either way the error line says what happened, in the page's language.

import { VIEWS, type UrlState } from '../embed/urlstate.js';
import { EngineCrash, type EngineClient } from '../engine/client.js';
import { notice, withBusy, withError } from '../model/page.js';
import type { Shown } from '../model/session.js';
import { t, type MessageKey } from '../words/i18n.js';
import type { Context } from './context.js';
import type { Cursor } from './cursor.js';
import { linkState } from './dialogs.js';

/** What the recovery asks of the controller. */
export interface RecoveryHost {
  /** Runs `task` after the open running now, as the next one (controller.ts: open). */
  queue(task: () => Promise<void>): Promise<void>;
  /** Opens a link's state on the (new, empty) engine as a link opens; false when part of it did not. */
  open(state: UrlState): Promise<boolean>;
  /** The page forgets the old engine's session (no machine, nothing on the timeline). */
  forget(): void;
  /** MiB of undo history the URL asked for (null: the engine's default). */
  history(): number | null;
}

export class Recovery {
  private restoring = false;
  private done: Promise<void> = Promise.resolve();
  /** The last crash's message in English (the embed's mm:error). */
  private message = '';

  constructor(
    private readonly ctx: Context,
    private readonly cursor: Cursor,
    private readonly host: RecoveryHost,
  ) {}

  /** Hears `engine` die. */
  watch(engine: EngineClient): void {
    engine.onCrash((crash) => this.crashed(crash));
    // The EngineCrash then unwinds to whatever ran the call (a click, a
    // key, an animation frame, a promise nobody awaits): expected, since
    // the recovery has started, so not reported as an uncaught error.
    window.addEventListener('error', (ev) => {
      if (ev.error instanceof EngineCrash) ev.preventDefault();
    });
    window.addEventListener('unhandledrejection', (ev) => {
      if (ev.reason instanceof EngineCrash) ev.preventDefault();
    });
  }

  /**
   * What a call that threw `e` leaves to say: when the engine stopped, its
   * message, once the session is back; anything else is thrown again.
   */
  async settled(e: unknown): Promise<string> {
    if (!(e instanceof EngineCrash)) throw e;
    await this.done;
    return this.message;
  }

  /** The instance died in the call unwinding now (a crash while restoring is recover()'s). */
  private crashed(crash: EngineCrash): void {
    if (this.restoring) return;
    this.restoring = true;
    const shown = this.ctx.shown;
    const what = this.ctx.running ?? crash.op;
    this.done = this.host
      .queue(() => this.recover(crash, what, shown))
      .finally(() => {
        this.restoring = false;
      });
  }

  private async recover(crash: EngineCrash, what: string, shown: Shown | null): Promise<void> {
    const store = this.ctx.store;
    const say = (key: MessageKey) => {
      const n = notice(key, { what, error: crash.detail });
      this.message = t('en', key, n.params);
      store.set(withError(store.model, n));
    };
    this.cursor.pause();
    store.set(withBusy(store.model, notice('engineRestarting')));
    const state = shown && shown.entries.length > 0 ? await linkState(this.ctx, shown) : null;
    if (!(await this.restart())) return;
    if (!state) return say('engineCrashedNothing');
    // The page keeps its layout (an embed's view=map is not a tab a link names).
    const view = VIEWS.find((v) => v === document.documentElement.dataset['view']);
    if (view) state.view = view;
    store.set(withBusy(store.model, null));
    try {
      await this.host.open(state);
    } catch (e) {
      if (!(e instanceof EngineCrash)) throw e;
      if (!(await this.restart())) return;
      return say('engineCrashedAgain');
    }
    say('engineCrashed');
  }

  /** A new instance with nothing on it; false (the error line says why) when none could be made. */
  private async restart(): Promise<boolean> {
    const engine = this.ctx.engine!;
    try {
      await engine.restart();
      const history = this.host.history();
      if (history) engine.call('setHistoryBudget', history);
    } catch (e) {
      this.ctx.store.set(withError(this.ctx.store.model, notice('engineFailed', {}, String(e))));
      return false;
    }
    this.host.forget();
    return true;
  }
}
