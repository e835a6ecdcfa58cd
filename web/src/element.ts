// js/element.js, the script a course page includes for <mm-playground>
// (a public URL: embed/element.ts is the element itself).
export { MmPlaygroundElement } from './embed/element.js';
