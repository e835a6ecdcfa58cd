// The event catalogue and the narration table agree: every code has an
// English and a Chinese template, and every placeholder names an argument
// the code carries. (That every code is emitted by some suite is checked
// after the whole run, in tests/support/doctest_main.cpp.)
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "mm/core/event.h"
#include "text/format/narration.h"

using namespace mm;

namespace {
bool has_cjk(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0xe4 && c <= 0xe9) return true;  // lead bytes of U+4000..U+9FFF in UTF-8
  return false;
}
}  // namespace

TEST_SUITE("catalogue") {
  TEST_CASE("every event code has a kernel function, an English and a Chinese template") {
    std::set<std::string_view> codes;
    for (unsigned i = 0; i < kEventCodes; ++i) {
      const EventSpec& s = kEventSpecs[i];
      CAPTURE(s.code);
      CHECK(codes.insert(s.code).second);
      CHECK(!s.fn.empty());
      const Words& w = words(static_cast<Ev>(i));
      CHECK(!w.en.empty());
      CHECK(!w.zh.empty());
      CHECK(has_cjk(w.zh));
    }
  }

  TEST_CASE("every placeholder of a template is an argument of its code") {
    for (unsigned i = 0; i < kEventCodes; ++i) {
      const Ev code = static_cast<Ev>(i);
      CAPTURE(spec(code).code);
      for (Lang l : {Lang::en, Lang::zh}) {
        const std::string_view tpl = words(code).in(l);
        for (const TemplateProblem& p : check_template(code, tpl)) {
          CAPTURE(tpl);
          CAPTURE(p.offset);
          FAIL_CHECK(p.message);
        }
      }
    }
  }

  TEST_CASE("the template checker finds what is wrong") {
    CHECK(check_template(Ev::expand_split, "pfn {pfn} order {order}").empty());
    CHECK(check_template(Ev::expand_split, "{pfn?yes {order}|no}").empty());
    CHECK(check_template(Ev::expand_split, "{buddy}").size() == 1);
    CHECK(check_template(Ev::expand_split, "{pfn").size() == 1);
    CHECK(check_template(Ev::expand_split, "{pfn?a}").size() == 1);
    CHECK(check_template(Ev::expand_split, "{pfn?{order?a|b}|c}").size() == 1);
  }

  TEST_CASE("arguments land where the catalogue puts them") {
    Trace t;
    t.enable(true);
    if (auto e = t.step(Ev::buddy_merge))
      e.zone(0, ZoneType::DMA32).pfn(8).order(1).mt(MigrateType::Movable).buddy(10).merged(8).to_order(2);
    REQUIRE(t.events().size() == 1);
    const Event& e = t.events()[0];
    CHECK(e.get(Arg::buddy) == 10);
    CHECK(e.get(Arg::merged) == 8);
    CHECK(e.get(Arg::to_order) == 2);
    CHECK(e.node == 0);
    CHECK(e.zone == 1);
    CHECK(narrate(e, t) == "merge pfn 8 with its buddy 10 at order 1 -> order 2 block at 8");
    CHECK(narrate(e, t, Lang::zh).find("伙伴 10") != std::string::npos);
    CHECK(format_arg(e, Arg::zone, t, Lang::en) == "Node 0 DMA32");
    CHECK(format_arg(e, Arg::mt, t, Lang::zh) == "可移动");
  }

  TEST_CASE("a phase's End record carries the phase's code; tracing off records nothing") {
    Trace t;
    CHECK(!t.step(Ev::expand_split));
    { TraceScope off(t, Ev::mem_init); }
    CHECK(t.events().empty());
    t.enable(true);
    {
      TraceScope on(t, Ev::mem_init);
      CHECK(t.depth() == 1);
    }
    REQUIRE(t.events().size() == 2);
    CHECK(t.events()[1].kind == EventKind::End);
    CHECK(t.events()[1].code == Ev::mem_init);
    CHECK(t.depth() == 0);
  }
}
