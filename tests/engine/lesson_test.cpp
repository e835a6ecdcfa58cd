// Lessons (text/lesson/lesson.h, session/lesson.h) and the quiz
// generators (session/quiz.h).
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "mm/boot/boot.h"
#include "mm/core/machine.h"
#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/gfp.h"
#include "mm/page_alloc/page_alloc.h"
#include "mm/pressure/oom.h"
#include "mm/slab/slub.h"
#include "session/lesson.h"
#include "session/playground.h"
#include "session/quiz.h"
#include "session/scenario.h"
#include "session/scenario_exec.h"
#include "test_util.h"

namespace {

const mm::FileLoader kNoFiles = [](const std::string&) { return std::optional<std::string>(); };

// A small complete lesson; `extra` is appended to its one step.
std::string lesson_text(const std::string& extra,
                        const std::string& step_stmts = "alloc big order=4 gfp=GFP_HIGHUSER_MOVABLE\n") {
  return "lesson t\n"
         "title en: T\ntitle zh: 题\n"
         "intro en: I\nintro zh: 引\n"
         "linux61 en: L\nlinux61 zh: 六\n"
         "machine ram=128M cpus=1\n"
         // Use up the free Movable blocks of orders 4-9 the boot left (lessons/04-buddy.lesson).
         "repeat 267 alloc pre order=4 gfp=GFP_HIGHUSER_MOVABLE\n"
         "step split\n"
         "en: Split.\nzh: 拆分。\n" +
         step_stmts + extra;
}

const char* kQuestion =
    "ask number\n"
    "en: How many halves?\nzh: 几个半块？\n"
    "answer count expand_split\n"
    "explain en: One per order.\nexplain zh: 每阶一个。\n";

std::string diag_of(const std::string& text) {
  auto l = mm::parse_lesson(text, "t.lesson");
  return l ? std::string("parsed") : l.diag().str();
}

}  // namespace

TEST_SUITE("lessons") {
  TEST_CASE("the linux612 note is optional, complete in both languages when written, and in the compiled lesson") {
    auto none = mm::parse_lesson(lesson_text(""), "t.lesson");
    REQUIRE(none);
    CHECK(mm::lesson_completeness(*none).empty());
    std::string with = lesson_text("");
    with.replace(with.find("machine "), 0, "linux612 en: Changed.\n");
    auto half = mm::parse_lesson(with, "t.lesson");
    REQUIRE(half);
    const auto problems = mm::lesson_completeness(*half);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == "the note on Linux 6.12 ('linux612') has no Chinese text ('zh:')");
    with.replace(with.find("machine "), 0, "linux612 zh: 变了。\n");
    auto full = mm::parse_lesson(with, "t.lesson");
    REQUIRE(full);
    CHECK(mm::lesson_completeness(*full).empty());
    CHECK(full->linux612.words.zh == "变了。");
  }

  TEST_CASE("a lesson parses into steps, statements and questions") {
    auto l = mm::parse_lesson(lesson_text("stop expand_split 2\n" + std::string(kQuestion)), "t.lesson");
    REQUIRE(l);
    CHECK(l->id == "t");
    CHECK(l->title.words.en == "T");
    CHECK(l->title.words.zh == "题");
    REQUIRE(l->setup.size() == 2);
    CHECK(l->setup[0].text == "machine ram=128M cpus=1");
    REQUIRE(l->steps.size() == 1);
    const auto& s = l->steps[0];
    CHECK(s.name == "split");
    CHECK(s.stmts.size() == 1);
    REQUIRE(s.stop);
    CHECK(s.stop->code == mm::Ev::expand_split);
    CHECK(s.stop->nth == 2);
    REQUIRE(s.questions.size() == 1);
    CHECK(s.questions[0].kind == mm::lesson::QuestionKind::number);
    CHECK(s.questions[0].answer->kind == mm::lesson::AnswerKind::count);
    CHECK(mm::lesson_completeness(*l).empty());
  }

  TEST_CASE("text lines join: English with a space, Chinese without") {
    auto l = mm::parse_lesson(lesson_text("en: more.\nzh: 更多。\n"), "t.lesson");
    REQUIRE(l);
    CHECK(l->steps[0].text.words.en == "Split. more.");
    CHECK(l->steps[0].text.words.zh == "拆分。更多。");
  }

  TEST_CASE("parse errors are FILE:LINE:COL with a clear message") {
    CHECK(diag_of("title en: x\n") == "t.lesson:1:1: error: a lesson starts with 'lesson ID' (e.g. 'lesson buddy')");
    CHECK(diag_of(lesson_text("stpo expand_split\n"))
              .find("t.lesson:14:1: error: unknown word 'stpo': did you mean 'stop'?") == 0);
    CHECK(diag_of(lesson_text("stop expand_splt\n"))
              .find("t.lesson:14:6: error: unknown event 'expand_splt': did you mean 'expand_split'?") == 0);
    CHECK(diag_of(lesson_text("ask number\nanswer arg expand_split ordr\n"))
              .find("t.lesson:15:25: error: unknown expand_split argument 'ordr'") == 0);
    CHECK(diag_of(lesson_text("ask number\nanswer args expand_split order\n"))
              .find("t.lesson:15:8: error: 'args' gives a list") == 0);
    CHECK(
        diag_of(lesson_text("ask choice\nchoice a\nchoice a\n")).find("t.lesson:16:8: error: the same choice twice") ==
        0);
    CHECK(diag_of(lesson_text("ask number\nanswer figure zone DMA32 fre\n"))
              .find("t.lesson:15:26: error: unknown zone field 'fre'") == 0);
    CHECK(diag_of(lesson_text("ask number\nalloc x\n"))
              .find("t.lesson:15:1: error: a step's statements come before its first 'ask'") == 0);
    CHECK(diag_of(lesson_text("choice x\n")).find("t.lesson:14:1: error: 'choice' belongs to a question") == 0);
    // `show`'s details: view= would overwrite the view in the compiled JSON.
    CHECK(diag_of(lesson_text("show proc view=zoneinfo\n")).find("t.lesson:14:11: error: 'view=' would hide") == 0);
    CHECK(diag_of(lesson_text("show proc file=zoneinf\n"))
              .find("t.lesson:14:11: error: unknown /proc file 'zoneinf': did you mean 'zoneinfo'?") == 0);
    CHECK(diag_of(lesson_text("show zones zone=DMA zone=DMA32\n")).find("t.lesson:14:21: error: 'zone=' given twice") ==
          0);
    // A bad scenario statement is reported as the scenario parser reports it.
    CHECK(diag_of(lesson_text("", "proc zoneinf\n")).find("t.lesson:13:6: error: unknown /proc view 'zoneinf'") == 0);
    // The first problem in the file wins, whichever parser finds it.
    CHECK(diag_of(lesson_text("stpo\n", "proc zoneinf\n")).find("t.lesson:13:6:") == 0);
    CHECK(diag_of("lesson t\nstep\nen: x\nzh: y\nalloc a\n").find("t.lesson:5:1: error: 'alloc' needs a machine") == 0);
  }

  TEST_CASE("completeness names what is missing, in which language") {
    auto l = mm::parse_lesson(
        "lesson t\ntitle en: T\nmachine ram=128M\nstep\nen: x\nask choice\nen: q\nzh: 问\nchoice 1\n"
        "answer count expand_split\nexplain en: e\n",
        "t.lesson");
    REQUIRE(l);
    std::vector<std::string> got;
    for (const auto& d : mm::lesson_completeness(*l)) got.push_back(d.str());
    REQUIRE(got.size() == 6);
    CHECK(got[0] == "t.lesson:2:7: error: the title has no Chinese text ('zh:')");
    CHECK(got[1].find("the intro is missing") != std::string::npos);
    CHECK(got[2].find("6.1") != std::string::npos);
    CHECK(got[3] == "t.lesson:5:1: error: the text of step 1 has no Chinese text ('zh:')");
    CHECK(got[4].find("the explanation of question 1 of step 1 has no Chinese text") != std::string::npos);
    CHECK(got[5] == "t.lesson:6:1: error: question 1 of step 1 needs at least two choices");
  }

  TEST_CASE("the engine computes the answers; a wrong choice set fails the check") {
    // An order-4 movable request on a fresh machine splits an order-10 block.
    auto ok = mm::check_lesson(lesson_text("stop expand_split last\n"
                                           "ask choice\nen: q\nzh: 问\nchoice 9,8,7,6,5,4\nchoice 4,5,6,7,8,9\n"
                                           "answer args expand_split order\nexplain en: e\nexplain zh: 解\n" +
                                           std::string(kQuestion)),
                               "t.lesson", kNoFiles);
    for (const auto& d : ok.problems) MESSAGE(d.str());
    REQUIRE(ok.ok());
    const mm::StepResult& s = ok.run.steps[0];
    REQUIRE(s.stop);
    CHECK(s.stop_narration.en.find("split: upper half") == 0);
    REQUIRE(s.questions.size() == 2);
    CHECK(s.questions[0].answer == "9,8,7,6,5,4");
    CHECK(s.questions[0].correct == 0);
    CHECK(s.questions[0].evidence.size() == 6);
    CHECK(s.questions[1].number == 6);

    auto bad = mm::check_lesson(lesson_text("ask choice\nen: q\nzh: 问\nchoice 1\nchoice 2\n"
                                            "answer args expand_split order\nexplain en: e\nexplain zh: 解\n"
                                            "stop oom_kill\n"),
                                "t.lesson", kNoFiles);
    REQUIRE(bad.problems.size() == 2);
    CHECK(bad.problems[0].str().find("t.lesson:22:6: error: stop: the step records no oom_kill event") == 0);
    CHECK(bad.problems[1].str().find("t.lesson:19:8: error: answer args expand_split order: the engine's answer is "
                                     "'9,8,7,6,5,4', which is none of the choices") == 0);
  }

  TEST_CASE("a failed expect in a step fails the lesson check") {
    auto c = mm::check_lesson(lesson_text("", "alloc big order=4\nexpect big.count == 2\n"), "t.lesson", kNoFiles);
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].str().find("t.lesson:14:8: error: expect failed: big.count is 1") == 0);
  }

  TEST_CASE("the walk-through and the JSON carry the computed answers") {
    auto l = mm::parse_lesson(lesson_text(kQuestion), "t.lesson");
    REQUIRE(l);
    auto r = mm::run_lesson(*l, kNoFiles);
    REQUIRE(r.ok());
    const std::string en = mm::lesson_walkthrough(*l, r, mm::Lang::en);
    CHECK(en.find("answer: 6") != std::string::npos);
    CHECK(mm::lesson_walkthrough(*l, r, mm::Lang::zh).find("答案：6") != std::string::npos);
    const std::string j = mm::lesson_json(*l, r);
    CHECK(j.find("\"statements\":[\"alloc big order=4 gfp=GFP_HIGHUSER_MOVABLE\"]") != std::string::npos);
    CHECK(j.find("\"answer\":\"6\",\"number\":6") != std::string::npos);
  }

  TEST_CASE("every shipped lesson passes lesson check, in course order") {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(std::string(MM_SOURCE_DIR) + "/lessons"))
      if (e.path().extension() == ".lesson") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    CHECK(files.size() >= 13);
    std::set<std::string> ids;
    for (const std::string& f : files) {
      auto text = mmtest::read_file(f);
      REQUIRE(text);
      auto c = mm::check_lesson(*text, f, [&](const std::string& p) {
        return mmtest::read_file(std::filesystem::path(f).parent_path().string() + "/" + p);
      });
      for (const auto& d : c.problems) MESSAGE(d.str());
      CHECK_MESSAGE(c.ok(), f);
      REQUIRE(c.lesson);
      CHECK(ids.insert(c.lesson->id).second);
      CHECK(c.run.questions >= 1);
    }
  }
}

// ---- quizzes ----------------------------------------------------------------------------

namespace {

constexpr int kSeeds = 200;

std::vector<mm::QuizQuestion> quiz(const std::string& topic, mm::u64 seed, int count = 1) {
  auto q = mm::make_quiz(topic, seed, count);
  REQUIRE(q);
  return *q;
}

void well_formed(const mm::QuizQuestion& q) {
  CHECK(!q.question.en.empty());
  CHECK(!q.question.zh.empty());
  CHECK(!q.answer.empty());
  CHECK(!q.explanation.en.empty());
  CHECK(!q.explanation.zh.empty());
  if (!q.choices.empty()) {
    CHECK(q.choices.size() >= 2);
    CHECK(std::count(q.choices.begin(), q.choices.end(), q.answer) == 1);
    std::set<std::string> distinct(q.choices.begin(), q.choices.end());
    CHECK(distinct.size() == q.choices.size());
  }
}

// Runs every seed through `recheck` and asks that the questions vary.
template <class F>
void for_seeds(const std::string& topic, F recheck, std::size_t min_distinct = 20) {
  std::set<std::string> seen;
  for (int s = 0; s < kSeeds; ++s) {
    auto qs = quiz(topic, static_cast<mm::u64>(s));
    REQUIRE(qs.size() == 1);
    const mm::QuizQuestion& q = qs[0];
    CAPTURE(s);
    CAPTURE(q.question.en);
    CAPTURE(q.answer);
    well_formed(q);
    recheck(q);
    seen.insert(q.question.en);
  }
  CHECK(seen.size() >= min_distinct);
}

std::string orders_of(const std::vector<std::pair<mm::Pfn, mm::Order>>& blocks) {
  std::string s;
  for (std::size_t i = 0; i < blocks.size(); ++i) s += (i ? "," : "") + std::to_string(blocks[i].second);
  return s;
}

}  // namespace

TEST_SUITE("quiz") {
  TEST_CASE("same seed, same questions; questions of one seed are distinct; unknown topics are named") {
    for (std::string_view t : mm::quiz_topics()) {
      auto a = quiz(std::string(t), 42, 4), b = quiz(std::string(t), 42, 4);
      REQUIRE(a.size() == b.size());
      std::set<std::string> qs;
      for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].question.en == b[i].question.en);
        CHECK(a[i].answer == b[i].answer);
        qs.insert(a[i].question.en);
      }
      CHECK(qs.size() == a.size());
    }
    auto bad = mm::make_quiz("budy", 1, 1);
    REQUIRE(!bad);
    CHECK(bad.diag().message.find("did you mean 'buddy'") != std::string::npos);
    CHECK(mm::quiz_topics().size() >= 10);
  }

  TEST_CASE("buddy: the answer is the block whose pfn differs in bit `order`") {
    for_seeds("buddy", [](const mm::QuizQuestion& q) {
      const long long pfn = q.number("pfn"), order = q.number("order");
      const long long buddy = std::stoll(q.number("merged") >= 0 ? std::to_string(q.number("buddy")) : q.answer);
      CHECK(pfn % (1ll << order) == 0);
      CHECK((pfn ^ buddy) == (1ll << order));
      if (q.number("merged") >= 0) {
        const long long merged = std::stoll(q.answer);
        CHECK(merged % (2ll << order) == 0);  // aligned to the next order
        CHECK(merged == std::min(pfn, buddy));
      } else {
        CHECK(buddy == std::stoll(q.answer));
      }
    });
  }

  TEST_CASE("free_pages_memory: the blocks tile the range, each as large as alignment and the end allow") {
    for_seeds("free_pages_memory", [](const mm::QuizQuestion& q) {
      const mm::Pfn start = static_cast<mm::Pfn>(q.number("start")), end = static_cast<mm::Pfn>(q.number("end"));
      std::vector<std::pair<mm::Pfn, mm::Order>> blocks;
      for (mm::Pfn p = start; p < end;) {
        mm::Order o = 0;
        while (o + 1 < mm::MAX_ORDER && p % (mm::Pfn{2} << o) == 0 && p + (mm::Pfn{2} << o) <= end) ++o;
        blocks.push_back({p, o});
        p += mm::Pfn{1} << o;
      }
      CHECK(q.answer == orders_of(blocks));
      CHECK(orders_of(mm::free_pages_memory_blocks(start, end)) == q.answer);
    });
  }

  TEST_CASE("split: expand gives back the upper halves, from order K-1 down to k") {
    for_seeds("split", [](const mm::QuizQuestion& q) {
      const long long pfn = q.number("pfn"), k = q.number("order"), K = q.number("from_order");
      std::string want;
      for (long long h = K - 1; h >= k; --h)
        want += (want.empty() ? "" : ", ") + std::to_string(pfn + (1ll << h)) + "/" + std::to_string(h);
      CHECK(q.answer == want);
      CHECK(pfn % (1ll << K) == 0);
    });
  }

  TEST_CASE("pcp: the count agrees with replaying the allocations as scenario statements") {
    for_seeds("pcp", [](const mm::QuizQuestion& q) {
      const int n = static_cast<int>(q.number("n"));
      // The same machine, booted as a scenario, the same requests.
      mm::Playground pg;
      REQUIRE(pg.boot_shorthand(q.machine, "<t>"));
      pg.drain(-1);
      std::vector<mm::Pfn> got;
      mm::AllocRequest req;
      req.gfp = mm::gfp::GFP_HIGHUSER_MOVABLE;
      for (int i = 0; i < n; ++i) {
        auto o = pg.alloc_pages(req);
        REQUIRE(o);
        got.push_back(o->pfn);
      }
      const mm::PerCpuPages& pcp = pg.machine()->nodes[0].zones[mm::idx(mm::ZoneType::DMA32)].pcp[0];
      CHECK(q.number("batch") == pcp.batch);
      if (q.number("drains") >= 0) {
        pg.drain(-1);
        for (mm::Pfn p : got) REQUIRE(pg.free_pages(p, 0, 0));
        const mm::PerCpuPages& after = pg.machine()->nodes[0].zones[mm::idx(mm::ZoneType::DMA32)].pcp[0];
        CHECK(q.answer == std::to_string(after.count));
        CHECK(after.count <= after.high);
      } else if (q.question.en.find("refill") != std::string::npos) {
        // Each refill brings `batch` pages (order 0): n allocations need ceil(n / batch).
        CHECK(std::stoll(q.answer) == (n + pcp.batch - 1) / pcp.batch);
      } else {
        CHECK(q.answer == std::to_string(pcp.count));
      }
    });
  }

  TEST_CASE("gfp: gfp_zone and gfp_migratetype agree with the allocation's zone and list") {
    for_seeds(
        "gfp",
        [](const mm::QuizQuestion& q) {
          const mm::gfp_t g = static_cast<mm::gfp_t>(q.number("gfp"));
          auto hz = mm::gfp_zone(g);
          REQUIRE(hz);
          // The page comes from the highest populated zone the mask allows (a fresh 6G machine has room everywhere).
          const mm::ZoneType z = *hz > mm::ZoneType::Normal ? mm::ZoneType::Normal : *hz;
          CHECK(q.answer == std::string(mm::kZoneNames[mm::idx(z)]) + ", " +
                                std::string(mm::kMigrateTypeNames[mm::idx(mm::gfp_migratetype(g, false))]));
        },
        10);
  }

  TEST_CASE("watermark: the verdict is usable > mark + reserve (and a block for order > 0)") {
    for_seeds("watermark", [](const mm::QuizQuestion& q) {
      const mm::Machine& m = mm::quiz_machine(q.machine);
      const bool dma = q.question.en.find("zone DMA ") != std::string::npos;
      const mm::Zone& z = m.nodes[0].zones[mm::idx(dma ? mm::ZoneType::DMA : mm::ZoneType::DMA32)];
      const long long free = q.number("free"), order = q.number("order"), mark = q.number("mark");
      const long long reserve = static_cast<long long>(z.lowmem_reserve[static_cast<std::size_t>(q.number("highest"))]);
      CHECK(reserve == q.number("reserve"));
      bool pass = free - ((1ll << order) - 1) > mark + reserve;
      if (pass && order > 0) {
        bool block = false;
        for (mm::Order o = static_cast<mm::Order>(order); o < mm::MAX_ORDER; ++o)
          for (unsigned t = 0; t < mm::MIGRATE_PCPTYPES; ++t) block = block || !z.free_area[o].free_list[t].empty();
        pass = block;
      }
      CHECK(q.answer == (pass ? "pass" : "fail"));
    });
  }

  TEST_CASE("zonelist: the order is the boot log's 'Fallback order' line") {
    for_seeds("zonelist", [](const mm::QuizQuestion& q) {
      mm::Playground pg;
      REQUIRE(pg.boot_shorthand(q.machine, "<t>"));
      std::string want = q.answer;
      std::replace(want.begin(), want.end(), ',', ' ');
      const std::string line = "Fallback order for Node " + std::to_string(q.number("node")) + ": " + want;
      CHECK(pg.boot_log().find(line) != std::string::npos);
    });
  }

  TEST_CASE("fallback: a type of the fallback table, the largest suitable order") {
    for_seeds(
        "fallback",
        [](const mm::QuizQuestion& q) {
          const auto want = static_cast<mm::MigrateType>(q.number("mt"));
          const std::string from = q.answer.substr(0, q.answer.find(','));
          CHECK(from != mm::kMigrateTypeNames[mm::idx(want)]);
          if (q.number("emptied") == 2) CHECK(from == (want == mm::MigrateType::Movable ? "Unmovable" : "Movable"));
          const long long order = std::stoll(q.answer.substr(q.answer.find("order ") + 6));
          CHECK(order >= q.number("order"));
        },
        12);
  }

  TEST_CASE("oom: the victim and oom_score agree with the same tasks spawned by scenario statements") {
    for_seeds("oom", [](const mm::QuizQuestion& q) {
      mm::Playground pg;
      mm::SessionState st;
      mm::ScenarioResult r;
      std::string text = "machine " + q.machine + "\n";
      std::vector<std::string> names;
      for (char c = 'A'; c <= 'E'; ++c) {
        const std::string n(1, c);
        if (q.number(n + ".anon_mb") < 0) break;
        names.push_back(n);
        text += "spawn " + n + " anon=" + std::to_string(q.number(n + ".anon_mb")) +
                "M adj=" + std::to_string(q.number(n + ".adj")) + "\n";
      }
      auto sc = mm::parse_scenario(text, "<t>");
      REQUIRE(sc);
      for (const auto& s : sc->stmts) REQUIRE(mm::run_statement(pg, s, st, r, {"<t>", nullptr, false}));
      std::vector<long long> score;
      for (const std::string& n : names) {
        auto v = mm::exec::figure_value(*pg.machine(), st, mm::fig::Task{n, mm::TaskField::oom_score});
        REQUIRE(v);
        score.push_back(*v);
      }
      if (q.number("task") >= 0) {
        CHECK(q.answer == std::to_string(score[static_cast<std::size_t>(q.number("task"))]));
      } else if (q.answer != "nobody") {
        // The victim has the highest oom_score (a later task wins a tie of badness).
        const auto it = std::find(names.begin(), names.end(), q.answer);
        REQUIRE(it != names.end());
        const long long s = score[static_cast<std::size_t>(it - names.begin())];
        for (long long o : score) CHECK(o <= s);
      } else {
        for (long long o : score) CHECK(o == 0);
      }
    });
  }

  TEST_CASE("slab: objects and pages per slab agree with calculate_sizes/calculate_order") {
    for_seeds("slab", [](const mm::QuizQuestion& q) {
      const mm::Machine& m = mm::quiz_machine(q.machine);
      const mm::u32 size = static_cast<mm::u32>(q.number("size")), flags = static_cast<mm::u32>(q.number("flags"));
      const mm::u32 align = mm::calculate_alignment(flags, static_cast<mm::u32>(q.number("align")), size);
      auto g = mm::compute_geometry(size, align, flags, m.nr_cpus);
      REQUIRE(g);
      const bool pages = q.question.en.find("pages") != std::string::npos;
      CHECK(q.answer == std::to_string(pages ? (1u << g->order) : g->objects));
      CHECK(g->objects * g->size <= (mm::PAGE_SIZE << g->order));
    });
  }

  TEST_CASE("kmalloc: the cache is kmalloc_slab's, or kmalloc_large above 8k") {
    for_seeds("kmalloc", [](const mm::QuizQuestion& q) {
      const mm::Machine& m = mm::quiz_machine(q.machine);
      const mm::u64 size = static_cast<mm::u64>(q.number("size"));
      const mm::u32 c = mm::kmalloc_slab(m, size, static_cast<mm::gfp_t>(q.number("gfp")));
      if (size > mm::KMALLOC_MAX_CACHE_SIZE) {
        CHECK(c == mm::NO_CACHE);
        CHECK(q.answer.rfind("kmalloc_large (order ", 0) == 0);
      } else {
        REQUIRE(c != mm::NO_CACHE);
        CHECK(q.answer == mm::cache_of(m, c)->name);
        CHECK(mm::cache_of(m, c)->g.object_size >= size);
      }
    });
  }
}
