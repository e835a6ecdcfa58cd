// Parsing a scenario (the language: statement.h) into typed statements.
// Nothing here runs anything: session/scenario.h does.
#pragma once

#include <span>
#include <string_view>

#include "mm/core/diag.h"
#include "text/scenario/statement.h"

namespace mm {

// Validates the whole file; the first problem comes back as a Diagnostic
// (FILE:LINE:COL). `machine_booted`: the scenario will run on a playground
// that already has a machine, so it need not start with `machine` or `dmesg`.
Expected<Scenario> parse_scenario(std::string_view text, std::string_view source, bool machine_booted = false);

// Every statement word of the language, in the order statement.h lists them.
std::span<const std::string_view> statement_words();

}  // namespace mm
