// The fuzzers' corpora and crash reproducers as a regression suite: every
// file in fuzz/corpus/<target>/ and fuzz/regressions/<target>/ goes through
// the very checks the libFuzzer targets run (fuzz/fuzz_checks.h): bad input
// must come back as a Diagnostic, a successful boot must pass
// check_invariants() and serve every /proc view. Crashes show up as crashes
// (and under the asan preset as sanitizer reports).
//
// Time: regressions run with the fuzzers' own RAM bounds; the corpus, which
// the fuzzers grow, boots only machines up to kCorpusMaxRam (bigger ones are
// still parsed), so the suite stays fast natively, under ASan and in wasm.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../../fuzz/fuzz_checks.h"
#include "../../fuzz/hostile_steps.h"

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kCorpusMaxRam = 2ull << 30;

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

struct Tally {
  int files = 0, booted = 0, skipped = 0;
};

template <class Check>
Tally replay(const std::string& target, Check check) {
  const fs::path root = fs::path(MM_SOURCE_DIR) / "fuzz";
  Tally t;
  for (const char* kind : {"corpus", "regressions"}) {
    const bool regression = std::string(kind) == "regressions";
    for (const fs::path& p : files_in(root / kind / target)) {
      const std::string text = read_all(p);
      const mm_fuzz::Result r = check(text, regression);
      ++t.files;
      t.booted += r.booted;
      t.skipped += r.skipped;
      CHECK_MESSAGE(r.violation.empty(), p.string() << ": " << r.violation);
    }
  }
  MESSAGE(target << ": " << t.files << " inputs, " << t.booted << " booted, " << t.skipped << " not booted (too big)");
  return t;
}

}  // namespace

TEST_SUITE("fuzz corpus") {
  TEST_CASE("shorthand corpus and regressions") {
    Tally t = replay("shorthand", [](std::string_view s, bool regression) {
      return mm_fuzz::check_shorthand(s, regression ? mm_fuzz::kFuzzMaxShorthandRam : kCorpusMaxRam);
    });
    CHECK(t.files > 0);
    CHECK(t.booted > 0);
  }

  TEST_CASE("dmesg corpus and regressions") {
    Tally t = replay("dmesg", [](std::string_view s, bool regression) {
      return mm_fuzz::check_dmesg(s, regression ? mm_fuzz::kFuzzMaxDmesgRam : kCorpusMaxRam);
    });
    CHECK(t.files > 0);
    CHECK(t.booted > 0);
  }

  TEST_CASE("oom corpus and regressions") {
    Tally t = replay("oom", [](std::string_view s, bool regression) {
      return mm_fuzz::check_oom(s, regression ? mm_fuzz::kFuzzMaxDmesgRam : kCorpusMaxRam);
    });
    CHECK(t.files > 0);
    CHECK(t.booted > 0);
  }

  TEST_CASE("scenario corpus and regressions") {
    Tally t = replay("scenario", [](std::string_view s, bool regression) {
      return mm_fuzz::check_scenario(s, regression ? mm_fuzz::kFuzzMaxScenarioRam : kCorpusMaxRam);
    });
    CHECK(t.files > 0);
    CHECK(t.booted > 0);
  }

  TEST_CASE("gfp corpus and regressions") {
    Tally t = replay("gfp", [](std::string_view s, bool) { return mm_fuzz::check_gfp(s); });
    CHECK(t.files > 0);
    CHECK(t.booted > 0);
  }

  TEST_CASE("steps corpus and regressions") {
    Tally t = replay("steps", [](std::string_view s, bool) {
      mm_fuzz::Result r;
      r.violation = mm_fuzz::check_steps(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
      r.booted = true;
      return r;
    });
    CHECK(t.files > 0);
  }
}
