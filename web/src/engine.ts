// The page's only door to the WebAssembly engine (contract: wasm/mm-engine.d.ts).
// It loads the ES6 module built by the wasm preset and turns its answers into
// the model's plain types.

import type { CreateMmEngine, Engine, MmEngineModule } from '../../wasm/mm-engine.js';
import type { AllocForm, LiveAllocation, MachineView, OomReplayView, ScenarioRunView } from './model.js';

export type BootOutcome = { ok: true; machine: MachineView } | { ok: false; error: string };
export type ProcOutcome = { ok: true; text: string } | { ok: false; error: string };
/** ok; or out of memory (`failure`); or refused (`error`). */
export type AllocOutcome =
  | { ok: true; block: LiveAllocation }
  | { ok: false; failure: string; error: string };
export type StatusOutcome = { ok: true } | { ok: false; error: string };

export class EngineClient {
  private constructor(private readonly engine: Engine) {}

  /** Loads mm_wasm.js (and its .wasm) from the folder above js/. */
  static async load(): Promise<EngineClient> {
    const url = new URL('../mm_wasm.js', import.meta.url).href;
    const imported = (await import(url)) as { default: CreateMmEngine };
    const module: MmEngineModule = await imported.default();
    return new EngineClient(new module.Engine());
  }

  bootShorthand(spec: string): BootOutcome {
    const r = this.engine.bootShorthand(spec);
    return r.ok ? { ok: true, machine: this.machine(spec) } : { ok: false, error: r.error };
  }

  bootDmesg(text: string, label: string): BootOutcome {
    const r = this.engine.bootDmesg(text, label);
    return r.ok ? { ok: true, machine: this.machine(label) } : { ok: false, error: r.error };
  }

  proc(name: string): ProcOutcome {
    const r = this.engine.proc(name);
    return r.ok ? { ok: true, text: r.text } : { ok: false, error: r.error };
  }

  procNames(): string[] {
    return this.engine.procNames();
  }

  allocPages(form: AllocForm): AllocOutcome {
    const r = this.engine.allocPages({ gfp: form.gfp, order: form.order, cpu: form.cpu, node: form.node });
    if (!r.ok) return { ok: false, failure: r.failure, error: r.error };
    return { ok: true, block: { pfn: r.pfn, order: r.order, node: r.node, zone: r.zone, gfp: form.gfp } };
  }

  freeBlock(pfn: number, cpu: number): StatusOutcome {
    const r = this.engine.freeBlock(pfn, cpu);
    return r.ok ? { ok: true } : { ok: false, error: r.error };
  }

  /** cpu -1: every CPU. */
  drain(cpu: number): StatusOutcome {
    const r = this.engine.drain(cpu);
    return r.ok ? { ok: true } : { ok: false, error: r.error };
  }

  /** Runs a scenario; when it ran, `machine` is the machine it left (labelled `label`). */
  runScenario(text: string, label: string): { run: ScenarioRunView; machine: MachineView | null } {
    const r = this.engine.runScenario(text);
    if (!r.ran) {
      const run = { ran: false, ok: false, output: '', passed: 0, failed: 0, failures: [{ line: r.line, col: r.col, text: r.error }] };
      return { run, machine: null };
    }
    const failures = r.failures.map((f) => ({ line: f.line, col: f.col, text: f.text }));
    const run = { ran: true, ok: r.ok, output: r.output, passed: r.passed, failed: r.failed, failures };
    return { run, machine: this.engine.frameCount() > 0 ? this.machine(label) : null };
  }

  oomReplay(text: string): OomReplayView {
    const r = this.engine.oomReplay(text);
    return { ok: r.ok, text: r.text, error: r.error };
  }

  /** The running machine again, after an operation changed it. */
  current(label: string): MachineView | null {
    return this.engine.frameCount() > 0 ? this.machine(label) : null;
  }

  private machine(label: string): MachineView {
    return {
      label,
      bootLog: this.engine.bootLog(),
      frameCount: this.engine.frameCount(),
      eventCount: this.engine.eventCount(),
    };
  }
}
