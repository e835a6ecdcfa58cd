// mmsim quiz: seeded questions with engine-computed answers (session/quiz.h).
//
//   mmsim quiz --topic TOPIC --seed N [--count K] [--answers|-c] [--lang en|zh] [--json]
//
// The same topic and seed always print the same questions; --answers (or
// -c, as OSTEP's homework simulators spell it) shows the answers with the
// narrated events that explain them.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/commands.h"
#include "session/quiz.h"
#include "text/scenario/suggest.h"

namespace mmcli {

namespace {

int usage(const std::string& msg) {
  std::fprintf(stderr,
               "mmsim: error: %s\n"
               "usage: mmsim quiz --topic TOPIC --seed N [--count K] [--answers|-c] [--lang en|zh] [--json]\n"
               "topics: %s\n",
               msg.c_str(), mm::join(mm::quiz_topics(), " ").c_str());
  return 2;
}

bool whole(const std::string& s, long long& out) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  out = std::stoll(s);
  return true;
}

}  // namespace

int cmd_quiz(int argc, char** argv) {
  std::string topic;
  long long seed = -1, count = 5;
  bool answers = false, json = false;
  mm::Lang lang = mm::Lang::en;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
    if (a == "--topic") {
      topic = value();
    } else if (a == "--seed" || a == "-s") {
      if (!whole(value(), seed)) return usage("--seed takes a whole number");
    } else if (a == "--count" || a == "-n") {
      if (!whole(value(), count)) return usage("--count takes a whole number");
    } else if (a == "--answers" || a == "-c") {
      answers = true;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--lang") {
      const std::string v = value();
      if (v != "en" && v != "zh") return usage("--lang takes en or zh");
      lang = v == "zh" ? mm::Lang::zh : mm::Lang::en;
    } else {
      return usage("unknown option '" + a + "'");
    }
  }
  if (topic.empty()) return usage("--topic is needed");
  if (seed < 0) return usage("--seed is needed");
  auto qs = mm::make_quiz(topic, static_cast<mm::u64>(seed), static_cast<int>(count));
  if (!qs) return usage(qs.diag().message);
  if (json)
    std::printf("%s\n", mm::quiz_json(*qs, lang).c_str());
  else
    std::fputs(mm::quiz_text(*qs, lang, answers).c_str(), stdout);
  return 0;
}

}  // namespace mmcli
