// mmsim lesson: the lessons of a folder (default: lessons/).
//
//   mmsim lesson list [--json] [--dir DIR]        id, titles, steps, questions
//   mmsim lesson check [FILE|ID|all] [--dir DIR]  parse, completeness, run every step, compute every answer
//   mmsim lesson show ID|FILE [--lang en|zh] [--json] [--dir DIR]
//
// Exit status: 0 success, 1 a lesson that does not run or is incomplete,
// 2 bad input (a parse error, FILE:LINE:COL).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/input_file.h"
#include "session/lesson.h"
#include "text/format/json.h"

namespace mmcli {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> slurp(const std::string& path) { return mmcli::read_input_text(path); }

int usage(const std::string& msg) {
  std::fprintf(stderr,
               "mmsim: error: %s\n"
               "usage:\n"
               "  mmsim lesson list [--json] [--dir DIR]\n"
               "  mmsim lesson check [FILE|ID|all] [--dir DIR]\n"
               "  mmsim lesson show ID|FILE [--lang en|zh] [--json] [--dir DIR]\n",
               msg.c_str());
  return 2;
}

// The lesson files of a folder, in name order (the course order).
std::vector<std::string> lesson_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".lesson") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

mm::FileLoader loader_for(const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  return [dir](const std::string& p) { return slurp(p.empty() || p[0] == '/' || dir.empty() ? p : dir + "/" + p); };
}

struct Options {
  std::vector<std::string> words;
  std::string dir = "lessons";
  mm::Lang lang = mm::Lang::en;
  bool json = false;
};

std::optional<Options> options(int argc, char** argv, int from, std::string& bad) {
  Options o;
  for (int i = from; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" || a == "--lang") {
      if (i + 1 >= argc) {
        bad = a + " needs a value";
        return std::nullopt;
      }
      const std::string v = argv[++i];
      if (a == "--dir") {
        o.dir = v;
      } else if (v == "en" || v == "zh") {
        o.lang = v == "zh" ? mm::Lang::zh : mm::Lang::en;
      } else {
        bad = "--lang takes en or zh, not '" + v + "'";
        return std::nullopt;
      }
    } else if (a == "--json") {
      o.json = true;
    } else if (a.size() > 1 && a[0] == '-') {
      bad = "unknown option '" + a + "'";
      return std::nullopt;
    } else {
      o.words.push_back(a);
    }
  }
  return o;
}

// FILE as given, or the file of the folder whose `lesson` line names ID.
std::optional<std::string> find_lesson(const std::string& what, const std::string& dir) {
  if (fs::is_regular_file(what)) return what;
  for (const std::string& f : lesson_files(dir)) {
    auto text = slurp(f);
    if (!text) continue;
    auto l = mm::parse_lesson(*text, f);
    if (l && l->id == what) return f;
  }
  return std::nullopt;
}

int list(const Options& o) {
  const auto files = lesson_files(o.dir);
  if (files.empty()) return usage("no .lesson files in '" + o.dir + "'");
  mm::Json j;
  j.open('[');
  int rc = 0;
  for (const std::string& f : files) {
    auto text = slurp(f);
    auto l =
        text ? mm::parse_lesson(*text, f) : mm::Expected<mm::lesson::Lesson>(mm::Diagnostic{f, 0, 0, "cannot read"});
    if (!l) {
      std::fprintf(stderr, "%s\n", l.diag().str().c_str());
      rc = 2;
      continue;
    }
    std::size_t questions = 0;
    for (const auto& s : l->steps) questions += s.questions.size();
    if (o.json) {
      j.open('{').field("id", l->id).field("file", fs::path(f).filename().string());
      j.key("title").open('{').field("en", l->title.words.en).field("zh", l->title.words.zh).close('}');
      j.field("steps", l->steps.size()).field("questions", questions).close('}');
    } else {
      std::printf("%-20s %zu steps, %zu questions\n  en: %s\n  zh: %s\n", l->id.c_str(), l->steps.size(), questions,
                  l->title.words.en.c_str(), l->title.words.zh.c_str());
    }
  }
  j.close(']');
  if (o.json) std::printf("%s\n", j.take().c_str());
  return rc;
}

// 0 ok, 1 a problem, 2 a parse error.
int check_one(const std::string& f) {
  auto text = slurp(f);
  if (!text) {
    std::fprintf(stderr, "%s: error: cannot read the file\n", f.c_str());
    return 2;
  }
  mm::LessonCheck c = mm::check_lesson(*text, f, loader_for(f));
  for (const mm::Diagnostic& d : c.problems) std::fprintf(stderr, "%s\n", d.str().c_str());
  if (!c.lesson) return 2;
  std::printf("%s: %s (%zu steps, %d questions, %d expectations)\n", f.c_str(), c.ok() ? "ok" : "FAILED",
              c.lesson->steps.size(), c.run.questions, c.run.expects_passed);
  return c.ok() ? 0 : 1;
}

int check(const Options& o) {
  const std::string what = o.words.size() > 1 ? o.words[1] : "all";
  if (o.words.size() > 2) return usage("lesson check takes one FILE, ID or 'all'");
  std::vector<std::string> files;
  if (what == "all") {
    files = lesson_files(o.dir);
    if (files.empty()) return usage("no .lesson files in '" + o.dir + "'");
  } else if (auto f = find_lesson(what, o.dir)) {
    files.push_back(*f);
  } else {
    return usage("no lesson '" + what + "' (a file, or an id of a lesson in '" + o.dir + "')");
  }
  int rc = 0, failed = 0;
  for (const std::string& f : files) {
    const int r = check_one(f);
    rc = std::max(rc, r);
    failed += r != 0;
  }
  if (files.size() > 1) std::printf("%zu lessons, %d failed\n", files.size(), failed);
  return rc;
}

int show(const Options& o) {
  if (o.words.size() != 2) return usage("lesson show needs one lesson id or file");
  auto f = find_lesson(o.words[1], o.dir);
  if (!f) return usage("no lesson '" + o.words[1] + "' (a file, or an id of a lesson in '" + o.dir + "')");
  auto text = slurp(*f);
  if (!text) return usage("cannot read '" + *f + "'");
  mm::LessonCheck c = mm::check_lesson(*text, *f, loader_for(*f));
  if (!c.lesson) {
    std::fprintf(stderr, "%s\n", c.problems.front().str().c_str());
    return 2;
  }
  for (const mm::Diagnostic& d : c.problems) std::fprintf(stderr, "%s\n", d.str().c_str());
  if (o.json)
    std::printf("%s\n", mm::lesson_json(*c.lesson, c.run).c_str());
  else
    std::fputs(mm::lesson_walkthrough(*c.lesson, c.run, o.lang).c_str(), stdout);
  return c.ok() ? 0 : 1;
}

}  // namespace

int cmd_lesson(int argc, char** argv) {
  std::string bad;
  auto o = options(argc, argv, 2, bad);
  if (!o) return usage(bad);
  if (o->words.empty()) return usage("lesson needs list, check or show");
  const std::string& sub = o->words[0];
  if (sub == "list") return o->words.size() == 1 ? list(*o) : usage("lesson list takes no lesson");
  if (sub == "check") return check(*o);
  if (sub == "show") return show(*o);
  return usage("unknown lesson command '" + sub + "' (list, check, show)");
}

}  // namespace mmcli
