// What the frame map highlights for an event: the block it is about and,
// for the two motions that show two blocks, the other one. Pure: the
// controller's animation adds the progress and hands it to the map.

import type { MmEvent } from '../../../wasm/mm-engine.js';

export interface HighlightTarget {
  motion: string;
  pfn: number;
  order: number;
  /** A second block: the buddy of a merge, the half of a split that moves; -1 if none. */
  other: number;
}

/** The block `ev` is about, animated as `motion`; null when it names no frame. */
export function highlightTarget(ev: MmEvent, motion: string): HighlightTarget | null {
  if (ev.pfn < 0) return null;
  const order = Math.max(0, ev.order);
  switch (motion) {
    case 'merge': {
      // (pfn, order) and its buddy become one block of order + 1.
      const buddy = ev.args['buddy'];
      return { motion, pfn: ev.pfn, order, other: typeof buddy === 'number' ? buddy : -1 };
    }
    case 'split': {
      // The event names the half that goes to a free list: show its parent
      // block (order + 1) splitting, with that half moving away.
      const size = 2 ** order;
      const parent = ev.pfn - (ev.pfn % (2 * size));
      return { motion, pfn: parent, order: order + 1, other: ev.pfn };
    }
    default:
      return { motion, pfn: ev.pfn, order, other: -1 };
  }
}
