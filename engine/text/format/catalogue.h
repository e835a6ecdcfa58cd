// The event catalogue and the narration table as one JSON document for the
// page (the bindings' catalogue()): every code with its kernel function,
// kind, motion, arguments and both templates; the argument vocabulary; the
// names the page shows (zones, migrate types, watermarks) and the constants
// it lays tables out by (MAX_ORDER, the pcp lists). The page defines none of
// these itself. Schema: `Catalogue` in wasm/mm-engine.d.ts.
#pragma once

#include <string>

namespace mm {

std::string catalogue_json();

}  // namespace mm
