// mmsim: the engine on the command line.
//
//   mmsim boot (--machine "ram=1G cpus=2" | --dmesg FILE) [--proc NAME]...
//              [--log] [--trace] [--check]
//   mmsim run FILE      run a scenario, print what it prints, check its expects
//   mmsim check FILE    only validate a scenario
//   mmsim oom --replay FILE   rank every OOM report of a kernel log again
//   mmsim lesson list|check|show ...   lessons (lesson_cmd.cpp)
//   mmsim quiz --topic T --seed N ...  seeded questions (quiz_cmd.cpp)
//
// Exit status: 0 success, 1 a failed expectation or invariant, 2 bad input
// (printed as FILE:LINE:COL: error: ...).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/input_file.h"
#include "mm/core/machine.h"
#include "session/compare.h"
#include "session/playground.h"
#include "session/scenario.h"
#include "text/format/narration.h"
#include "text/parse/dmesg.h"
#include "text/parse/shorthand.h"

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  mmsim boot (--machine \"ram=1G cpus=2\" | --dmesg FILE) [--proc NAME]... [--log] [--trace] [--check]\n"
    "             [--slab CACHE]...   (one slab cache's slabs and objects)\n"
    "  mmsim run FILE       run a scenario file\n"
    "  mmsim check FILE     validate a scenario file without running it\n"
    "  mmsim oom --replay FILE   recompute every OOM report in a kernel log: badness, ranking, victim\n"
    "  mmsim compare (--machine \"ram=1G cpus=2\" | --dmesg FILE) [--lang zh]   what differs between 6.1 and 6.12\n"
    "  mmsim lesson list [--json] | check [FILE|ID|all] | show ID [--lang zh] [--json]   guided lessons\n"
    "  mmsim quiz --topic TOPIC --seed N [--count K] [--answers|-c] [--lang zh] [--json]\n"
    "\n"
    "/proc views: zoneinfo buddyinfo pagetypeinfo memblock kmem-f slabinfo\n"
    "machine keys: ram cpus nodes distance min_free_kbytes watermark_scale_factor lowmem_reserve_ratio\n"
    "              percpu_pagelist_high_fraction deferred thp mobility kernelcore movablecore initrd\n"
    "              kernel (6.1 or 6.12) zone_dma (on or off: CONFIG_ZONE_DMA)\n";

// The file's text, or nullopt after saying why not ("PATH: error: ...").
std::optional<std::string> read_reported(const std::string& path) {
  mmcli::InputFile f = mmcli::read_input(path);
  if (!f.text) std::fprintf(stderr, "%s: error: %s\n", path.c_str(), f.error.c_str());
  return std::move(f.text);
}

std::string dir_of(const std::string& path) {
  size_t s = path.rfind('/');
  return s == std::string::npos ? std::string() : path.substr(0, s + 1);
}

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "mmsim: error: %s\n%s", msg.c_str(), kUsage);
  return 2;
}

int cmd_boot(int argc, char** argv) {
  std::optional<std::string> machine, dmesg;  // given (an empty value too: the parser says what is wrong)
  std::vector<std::string> procs, slabs;      // slabs: --slab CACHE (SLUB hook)
  bool log = false, trace = false, check = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto need = [&](const char* what) -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      (void)what;
      return std::string(argv[++i]);
    };
    if (a == "--machine" || a == "-m") {
      auto v = need("machine");
      if (!v) return usage_error("--machine needs a description like \"ram=1G cpus=2\"");
      machine = *v;
    } else if (a == "--dmesg") {
      auto v = need("file");
      if (!v) return usage_error("--dmesg needs a file");
      dmesg = *v;
    } else if (a == "--proc") {
      auto v = need("name");
      if (!v) return usage_error("--proc needs a name");
      procs.push_back(*v);
    } else if (a == "--slab") {
      auto v = need("cache");
      if (!v) return usage_error("--slab needs a cache name like kmalloc-128");
      slabs.push_back(*v);
    } else if (a == "--log") {
      log = true;
    } else if (a == "--trace") {
      trace = true;
    } else if (a == "--check") {
      check = true;
    } else {
      return usage_error("unknown option '" + a + "'");
    }
  }
  if (machine.has_value() == dmesg.has_value()) return usage_error("give exactly one of --machine or --dmesg");
  for (const std::string& p : procs) {
    bool known = false;
    for (std::string_view n : mm::Playground::proc_names()) known = known || n == p;
    if (!known) return usage_error("unknown /proc view '" + p + "'");
  }
  mm::Playground pg;
  mm::BootOptions opt;
  opt.trace = trace;
  mm::Status st;
  if (machine) {
    st = pg.boot_shorthand(*machine, "<machine>", opt);
  } else {
    auto text = read_reported(*dmesg);
    if (!text) return 2;
    st = pg.boot_dmesg(*text, *dmesg, opt);
  }
  if (!st) {
    std::fprintf(stderr, "%s\n", st.diag().str().c_str());
    return 2;
  }
  if (trace)
    for (const mm::Event& e : pg.events()) std::printf("%s\n", mm::to_string(e, pg.view()->trace).c_str());
  if (log) std::fputs(pg.boot_log().c_str(), stdout);
  for (const std::string& p : procs) {
    std::string out;
    pg.proc(p, out);
    std::fputs(out.c_str(), stdout);
  }
  for (const std::string& c : slabs) {
    auto v = pg.slab_view(c);
    if (!v) {
      std::fprintf(stderr, "mmsim: error: %s\n", v.diag().message.c_str());
      return 2;
    }
    std::fputs(v->c_str(), stdout);
  }
  if (!pg.machine()->replay_mismatches.empty())
    for (const std::string& m : pg.machine()->replay_mismatches) std::fprintf(stderr, "mmsim: note: %s\n", m.c_str());
  if (check) {
    auto v = pg.check();
    for (const std::string& s : v) std::fprintf(stderr, "invariant violated: %s\n", s.c_str());
    if (!v.empty()) return 1;
  }
  return 0;
}

// mmsim compare (--machine SPEC | --dmesg FILE) [--lang zh]: the machine
// under both kernel profiles, one line per figure that differs.
int cmd_compare(int argc, char** argv) {
  std::optional<std::string> machine, dmesg;
  mm::Lang lang = mm::Lang::en;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if ((a == "--machine" || a == "-m") && has_value) {
      machine = argv[++i];
    } else if (a == "--dmesg" && has_value) {
      dmesg = argv[++i];
    } else if (a == "--lang" && has_value) {
      const std::string l = argv[++i];
      if (l != "en" && l != "zh") return usage_error("--lang takes en or zh");
      lang = l == "zh" ? mm::Lang::zh : mm::Lang::en;
    } else {
      return usage_error("compare: unknown or incomplete option '" + a + "'");
    }
  }
  if (machine.has_value() == dmesg.has_value()) return usage_error("compare: give exactly one of --machine or --dmesg");
  mm::Expected<mm::MachineSpec> spec = mm::Diagnostic{};
  if (machine) {
    spec = mm::parse_shorthand(*machine);
    if (!spec) spec = mm::Diagnostic{"<machine>", spec.diag().line, spec.diag().col, spec.diag().message};
  } else {
    auto text = read_reported(*dmesg);
    if (!text) return 2;
    auto plan = mm::plan_from_dmesg(*text, *dmesg);
    if (plan)
      spec = plan->spec;
    else
      spec = plan.diag();
  }
  if (!spec) {
    std::fprintf(stderr, "%s\n", spec.diag().str().c_str());
    return 2;
  }
  auto diffs = mm::compare_kernels(*spec);
  if (!diffs) {
    std::fprintf(stderr, "%s\n", diffs.diag().str().c_str());
    return 2;
  }
  std::printf("%s: %zu figures differ between Linux 6.1 and Linux 6.12\n", machine ? machine->c_str() : dmesg->c_str(),
              diffs->size());
  std::fputs(mm::format_kernel_differences(*diffs, lang).c_str(), stdout);
  return 0;
}

int cmd_scenario(const std::string& path, bool run) {
  auto text = read_reported(path);
  if (!text) return 2;
  auto sc = mm::parse_scenario(*text, path);
  if (!sc) {
    std::fprintf(stderr, "%s\n", sc.diag().str().c_str());
    return 2;
  }
  if (!run) {
    std::printf("%s: ok (%zu statements)\n", path.c_str(), sc->stmts.size());
    return 0;
  }
  const std::string dir = dir_of(path);
  auto loader = [&](const std::string& p) { return mmcli::read_input_text(p.empty() || p[0] == '/' ? p : dir + p); };
  mm::ScenarioResult r = mm::run_scenario(*sc, loader);
  std::fputs(r.output.c_str(), stdout);
  for (const mm::Diagnostic& d : r.failures) std::fprintf(stderr, "%s\n", d.str().c_str());
  std::fprintf(stderr, "%s: %d expectations passed, %d failed\n", path.c_str(), r.expects_passed, r.expects_failed);
  return r.exit_code();
}

int cmd_oom(int argc, char** argv) {
  if (argc != 4 || std::string(argv[2]) != "--replay") return usage_error("oom needs --replay FILE");
  const std::string path = argv[3];
  auto text = read_reported(path);
  if (!text) return 2;
  auto out = mm::Playground().oom_replay(*text, path);
  if (!out) {
    std::fprintf(stderr, "%s\n", out.diag().str().c_str());
    return 2;
  }
  std::fputs(out->c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("missing command");
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "boot") return cmd_boot(argc, argv);
  if (cmd == "oom") return cmd_oom(argc, argv);
  if (cmd == "compare") return cmd_compare(argc, argv);
  if (cmd == "lesson") return mmcli::cmd_lesson(argc, argv);
  if (cmd == "quiz") return mmcli::cmd_quiz(argc, argv);
  if (cmd == "run" || cmd == "check") {
    if (argc != 3) return usage_error(cmd + " needs exactly one scenario file");
    return cmd_scenario(argv[2], cmd == "run");
  }
  return usage_error("unknown command '" + cmd + "'");
}
