// The page's only door to the WebAssembly engine (contract: wasm/mm-engine.d.ts).
// It loads the ES6 module built by the wasm preset and turns its answers into
// the model's plain types.

import type { CreateMmEngine, Engine, MmEngineModule } from '../../wasm/mm-engine.js';
import type { MachineView } from './model.js';

export type BootOutcome = { ok: true; machine: MachineView } | { ok: false; error: string };
export type ProcOutcome = { ok: true; text: string } | { ok: false; error: string };

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

  private machine(label: string): MachineView {
    return {
      label,
      bootLog: this.engine.bootLog(),
      frameCount: this.engine.frameCount(),
      eventCount: this.engine.eventCount(),
    };
  }
}
