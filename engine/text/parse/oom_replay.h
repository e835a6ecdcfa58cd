// Replaying real OOM reports: every report of a kernel log is read
// (text/parse/oom_report.h), ranked again with the engine's oom_badness
// (text/parse/oom_rank.h) and printed with the arithmetic
// (text/format/oom_replay_text.h).
#pragma once

#include <string>
#include <string_view>

#include "mm/core/diag.h"
#include "text/format/oom_replay_text.h"
#include "text/parse/oom_rank.h"
#include "text/parse/oom_report.h"

namespace mm {

// Parse, rank and render every report: the text mmsim oom --replay prints.
Expected<std::string> oom_replay(std::string_view text, std::string_view source);

}  // namespace mm
