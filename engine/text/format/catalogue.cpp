#include "text/format/catalogue.h"

#include "mm/core/event.h"
#include "mm/core/machine.h"
#include "mm/page_alloc/alloc.h"
#include "text/format/json.h"
#include "text/format/kernel_diff.h"
#include "text/format/narration.h"
#include "text/format/reasons.h"

namespace mm {

namespace {

constexpr std::string_view kArgTypeNames[] = {"Pfn",   "Order",  "MigrateType", "Zone", "Node",     "Cpu", "ZoneType",
                                              "Count", "Signed", "Bytes",       "Phys", "Addr",     "Gfp", "AllocFlags",
                                              "Wmark", "Bool",   "Str",         "Pid",  "SlabFlags"};
static_assert(std::size(kArgTypeNames) == static_cast<unsigned>(ArgType::kSlabFlags) + 1);

constexpr std::string_view kind_name(EventKind k) {
  switch (k) {
    case EventKind::Begin: return "begin";
    case EventKind::End: return "end";
    case EventKind::Warn: return "warn";
    case EventKind::Step: break;
  }
  return "step";
}

void events(Json& j) {
  j.key("events").open('[');
  for (unsigned i = 0; i < kEventCodes; ++i) {
    const EventSpec& s = kEventSpecs[i];
    const Words& w = words(static_cast<Ev>(i));
    j.open('{').field("code", s.code).field("fn", s.fn).field("kind", kind_name(s.kind));
    j.field("motion", kMotionNames[static_cast<unsigned>(s.motion)]);
    j.key("args").open('[');
    for (unsigned a = 0; a < s.nargs; ++a) j.str(kArgInfo[static_cast<unsigned>(s.args[a])].name);
    j.close(']');
    j.field("en", w.en).field("zh", w.zh).close('}');
  }
  j.close(']');
}

void args(Json& j) {
  j.key("args").open('{');
  for (const ArgInfo& a : kArgInfo) j.field(a.name, kArgTypeNames[static_cast<unsigned>(a.type)]);
  j.close('}');
}

void names(Json& j) {
  j.key("names").open('{');
  j.key("zone").open('[');
  for (std::string_view z : kZoneNames) j.str(z);
  j.close(']');
  for (Lang l : {Lang::en, Lang::zh}) {
    j.key(l == Lang::en ? "migratetype_en" : "migratetype_zh").open('[');
    for (unsigned m = 0; m < MIGRATE_TYPES; ++m) j.str(migratetype_name(m, l));
    j.close(']');
  }
  j.key("migratetype_letter").open('[');
  for (char c : kMigrateTypeLetters) j.str(std::string_view(&c, 1));
  j.close(']');
  j.key("wmark").open('[');
  for (unsigned w = 0; w < NR_WMARK; ++w) j.str(wmark_name(w));
  j.close(']');
  j.key("motion").open('[');
  for (std::string_view m : kMotionNames) j.str(m);
  j.close(']');
  j.close('}');
}

void constants(Json& j) {
  j.key("constants").open('{');
  j.field("MAX_ORDER", MAX_ORDER).field("pageblock_order", pageblock_order);
  j.field("PAGE_ALLOC_COSTLY_ORDER", PAGE_ALLOC_COSTLY_ORDER).field("MIGRATE_PCPTYPES", MIGRATE_PCPTYPES);
  j.field("MIGRATE_TYPES", MIGRATE_TYPES).field("MAX_NR_ZONES", MAX_NR_ZONES).field("NR_PCP_LISTS", NR_PCP_LISTS);
  j.field("PAGE_SHIFT", PAGE_SHIFT);
  j.close('}');
  // Which (order, migrate type) each pcp list holds, as order_to_pindex()
  // lays them out: the page draws its pcp table from this.
  j.key("pcp_lists").open('[');
  for (unsigned p = 0; p < NR_PCP_LISTS; ++p) {
    const Order o = pindex_to_order(p);
    int mt = -1;
    for (unsigned t = 0; t < MIGRATE_PCPTYPES; ++t)
      if (order_to_pindex(static_cast<MigrateType>(t), o) == p) {
        mt = static_cast<int>(t);
        break;
      }
    j.open('{').field("pindex", p).field("order", o).field("mt", mt).close('}');
  }
  j.close(']');
}

// Why an allocation fails (AllocOutcome::reason, AllocResult.reason), in
// both languages; {order}, {node} and {gfp} name the request.
// What the page says when a phase closes (an End record).
void phase_end(Json& j) {
  j.key("phase_end").open('{').field("en", kPhaseEndWords.en).field("zh", kPhaseEndWords.zh).close('}');
}

void reasons(Json& j) {
  j.key("reasons").open('[');
  for (unsigned i = 1; i < kAllocFailures; ++i) {
    const Words& w = reason_words(static_cast<AllocFailure>(i));
    j.open('{').field("code", kAllocFailureCodes[i]).field("en", w.en).field("zh", w.zh).close('}');
  }
  j.close(']');
}

// Why a figure differs between the two kernel profiles (session/compare.h).
void kernel_diffs(Json& j) {
  j.key("kernelDiffs").open('[');
  for (std::size_t i = 0; i < kKernelDiffCodes.size(); ++i) {
    const Words& w = kernel_diff_words(static_cast<KernelDiff>(i));
    j.open('{').field("code", kKernelDiffCodes[i]).field("en", w.en).field("zh", w.zh).close('}');
  }
  j.close(']');
}

}  // namespace

std::string catalogue_json() {
  Json j;
  j.open('{');
  events(j);
  args(j);
  names(j);
  constants(j);
  reasons(j);
  kernel_diffs(j);
  phase_end(j);
  j.close('}');
  return j.take();
}

}  // namespace mm
