// The page's Content-Security-Policy, in one place (used by build-web.mjs for
// the <meta> tags and by serve.mjs for the HTTP header).
//
// Neither policy allows 'unsafe-eval' or inline scripts. 'wasm-unsafe-eval'
// lets the page compile its WebAssembly and nothing else; the engine is linked
// with -sDYNAMIC_EXECUTION=0 so Embind never builds functions from strings
// (see the wasm block of CMakeLists.txt).
import { createHash } from 'node:crypto';

/** Served pages (build/web/*.html over http). */
const SERVED = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
];

const join = (directives) => directives.map(([k, v]) => `${k} ${v}`).join('; ');

/**
 * The HTTP header serve.mjs sends. frame-ancestors (the pages may be embedded
 * anywhere) only works in a header: browsers ignore it, with a console
 * warning, in a <meta> policy.
 */
export const SERVED_CSP_HEADER = join([...SERVED, ['frame-ancestors', '*']]);

/** The <meta http-equiv> copy in every served page (for other servers). */
export const SERVED_CSP_META = join(SERVED);

/** 'sha256-...' source expression of an inline <script> or <style> body. */
export function hashSource(text) {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The single-file offline page (opened from file://): nothing may be loaded,
 * only the inline scripts and styles whose hashes are listed may run.
 */
export function offlineCsp({ scripts, styles }) {
  return join([
    ['default-src', "'none'"],
    ['script-src', [...scripts.map(hashSource), "'wasm-unsafe-eval'"].join(' ')],
    ['style-src', styles.length ? styles.map(hashSource).join(' ') : "'none'"],
    ['img-src', 'data:'],
    ['connect-src', "'none'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
  ]);
}

/** <meta http-equiv="Content-Security-Policy"> for `policy`. */
export function cspMeta(policy) {
  if (/["<>&]/.test(policy)) throw new Error(`policy needs escaping: ${policy}`);
  return `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
}
