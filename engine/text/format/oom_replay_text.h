// The text of an OOM replay (mmsim oom --replay, the page's OOM tab): per
// report, how totalpages was found, the ranked table with the badness
// arithmetic, the engine's kill line and whether the kernel chose the same.
// Words only: the report and its ranking are facts (text/parse/oom_report.h,
// text/parse/oom_rank.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "text/parse/oom_rank.h"
#include "text/parse/oom_report.h"

namespace mm {

// The kernel's kill line for a row: the anon/file/shmem split comes from
// `kill` when it is the same pid, else all of rss is shown as anon-rss.
std::string oom_kill_line(const OomTaskRow& t, const OomKillLine* kill, std::string_view message);

// Every report of `log` with its ranking (rankings[i] ranks log.reports[i]);
// `boot` is what the rankings were given.
std::string format_oom_replay(const OomLog& log, const std::vector<OomRanking>& rankings, const OomNodePages& boot);

}  // namespace mm
