// --pre-js of mm_wasm_single (-sSINGLE_FILE=1), the engine inlined into the
// offline page build/web/mm-playground-offline.html. Runs inside the
// MODULARIZE factory, so `Module`, `wasmBinaryFile` (a data: URI),
// `tryParseAsDataURI`, `abort` are the glue's own locals.
//
// Why: emscripten 3.1.6 loads an embedded wasm with fetch('data:...') and only
// decodes the base64 itself when that fetch fails. Under the offline page's
// Content-Security-Policy (connect-src 'none') the fetch is blocked and
// reported as a CSP violation before the fallback runs. Decoding it here
// makes no request of any kind.
if (!Module['instantiateWasm']) {
  Module['instantiateWasm'] = function (imports, receiveInstance) {
    var bytes = tryParseAsDataURI(wasmBinaryFile);
    WebAssembly.instantiate(bytes, imports).then(
      function (result) {
        receiveInstance(result['instance'], result['module']);
      },
      function (reason) {
        abort('instantiating the embedded wasm failed: ' + reason);
      },
    );
    return {}; // exports arrive through receiveInstance
  };
}
