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
    // Derived placeholders: allowed where the code carries their inputs.
    CHECK(check_template(Ev::expand_split, "{buddy_of} {order_unusable}").empty());
    CHECK(check_template(Ev::expand_split, "{mark_reserve}").size() == 1);
    CHECK(check_template(Ev::wmark_fail, "{mark_reserve} {highatomic} {below_zero?a|b}").empty());
    CHECK(check_template(Ev::pcp_free, "{below_zero?a|b}").size() == 1);
  }

  TEST_CASE("narration shows its arithmetic: buddy = pfn ^ (1 << order), free - (2^order - 1) vs mark + reserve") {
    Trace t;
    t.enable(true);
    if (auto e = t.step(Ev::expand_split)) e.zone(0, ZoneType::DMA32).pfn(24).order(3).mt(MigrateType::Movable);
    if (auto e = t.step(Ev::wmark_fail))
      e.zone(0, ZoneType::DMA32).order(2).wmark(1).free(1).unusable(3 + 512).usable(1 - 515).mark(100).reserve(20);
    if (auto e = t.step(Ev::pcp_free))
      e.zone(0, ZoneType::DMA32).pfn(7).order(0).mt(MigrateType::Movable).cpu(1).pcp_count(63).high(62).spill(1);
    const auto& ev = t.events();
    REQUIRE(ev.size() == 3);
    CHECK(narrate(ev[0], t).find("it is the buddy of the lower half: 16 ^ (1 << 3) = 24") != std::string::npos);
    CHECK(narrate(ev[1], t).find("free 1 - unusable 515 (2^2 - 1 = 3 + highatomic reserve 512) = -514 (below zero") !=
          std::string::npos);
    CHECK(narrate(ev[1], t).find("<= low 100 + lowmem_reserve 20 = 120: watermark not met") != std::string::npos);
    CHECK(narrate(ev[1], t, Lang::zh).find("+ 高阶原子预留 512") != std::string::npos);
    CHECK(narrate(ev[2], t) ==
          "cpu 1: pfn 7 (order 0) onto the Movable pcp list: count 63 >= high 62 -> free a batch to the buddy lists");
    CHECK(narrate(ev[2], t, Lang::zh).find("≥ high 62 → 达到上限") != std::string::npos);
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
    CHECK(narrate(e, t) == "merge pfn 8 with its buddy 10 = 8 ^ (1 << 1) at order 1 -> order 2 block at 8 = 8 & 10");
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
