// The quiz generators (quiz.h). Each one draws the numbers of a question
// from a seeded generator, then asks the engine: it runs the operation on a
// copy of a booted machine and reads the outcome and the events, or calls
// the model function the allocator itself uses. Choices (distractors) are
// the only thing computed here, and only to be wrong.
#include "session/quiz.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "mm/boot/boot.h"
#include "mm/core/machine.h"
#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/gfp.h"
#include "mm/page_alloc/page_alloc.h"
#include "mm/pressure/oom.h"
#include "mm/pressure/task.h"
#include "mm/slab/slub.h"
#include "session/playground.h"
#include "text/format/json.h"
#include "text/format/narration.h"
#include "text/scenario/suggest.h"

namespace mm {

namespace {

// splitmix64: small, seedable, the same on every platform.
struct Rng {
  u64 s;
  u64 next() {
    u64 z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // [lo, hi]
  long long in(long long lo, long long hi) {
    return lo + static_cast<long long>(next() % static_cast<u64>(hi - lo + 1));
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(in(0, static_cast<long long>(v.size()) - 1))];
  }
};

u64 topic_hash(std::string_view t) {
  u64 h = 1469598103934665603ull;
  for (char c : t) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

std::string num(long long v) { return std::to_string(v); }

// The machine copy a question runs on, with tracing on from here.
std::unique_ptr<Machine> scratch(const std::string& spec) {
  auto m = std::make_unique<Machine>(quiz_machine(spec));
  m->trace.clear();
  m->trace.enable(true);
  return m;
}

std::vector<const Event*> events_of(const Machine& m, Ev code) {
  std::vector<const Event*> v;
  for (const Event& e : m.trace.events())
    if (e.code == code && e.kind != EventKind::End) v.push_back(&e);
  return v;
}

// The narrated events as the explanation (at most `most`), one per line.
Bilingual narrate_events(const Machine& m, const std::vector<const Event*>& evs, std::size_t most = 8) {
  Bilingual b;
  for (std::size_t i = 0; i < evs.size() && i < most; ++i) {
    b.en += (i ? "\n" : "") + narrate(*evs[i], m.trace, Lang::en);
    b.zh += (i ? "\n" : "") + narrate(*evs[i], m.trace, Lang::zh);
  }
  if (evs.size() > most) {
    b.en += "\n(" + num(static_cast<long long>(evs.size() - most)) + " more)";
    b.zh += "\n（另有 " + num(static_cast<long long>(evs.size() - most)) + " 条）";
  }
  return b;
}

void prepend(Bilingual& b, const std::string& en, const std::string& zh) {
  b.en = en + (b.en.empty() ? "" : "\n" + b.en);
  b.zh = zh + (b.zh.empty() ? "" : "\n" + b.zh);
}

// The right answer among up to `n` distinct choices, shuffled by the seed.
std::vector<std::string> choices(Rng& r, const std::string& right, std::vector<std::string> wrong, std::size_t n = 4) {
  std::vector<std::string> out{right};
  for (std::string& w : wrong)
    if (out.size() < n && std::find(out.begin(), out.end(), w) == out.end()) out.push_back(std::move(w));
  for (std::size_t i = out.size(); i > 1; --i)
    std::swap(out[i - 1], out[static_cast<std::size_t>(r.in(0, static_cast<long long>(i) - 1))]);
  return out;
}

std::string join_orders(const std::vector<Order>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + num(v[i]);
  return s;
}

Zone& zone_of(Machine& m, ZoneType t, int node = 0) { return m.nodes[static_cast<std::size_t>(node)].zones[idx(t)]; }

// Takes every free block of `mt` with order in [lo, hi) off the free lists
// of `z` (as if allocated), so that a request must look further.
void take_free_blocks(Machine& m, Zone& z, MigrateType mt, Order lo, Order hi) {
  const bool was = m.trace.on();
  m.trace.enable(false);
  for (Order o = lo; o < hi && o < MAX_ORDER; ++o)
    while (!z.free_area[o].free_list[idx(mt)].empty()) {
      const Pfn p = z.free_area[o].free_list[idx(mt)].head;
      del_page_from_free_list(m, z, p, o, mt);
      prep_new_page(m, p, o, Owner::Kernel);
    }
  m.trace.enable(was);
}

using Gen = QuizQuestion (*)(Rng& r);

// ---- buddy ----------------------------------------------------------------------------------
constexpr const char* kSmall = "ram=128M cpus=1";

QuizQuestion gen_buddy(Rng& r) {
  QuizQuestion q;
  const Order o = static_cast<Order>(r.in(0, 9));
  const Pfn pfn = static_cast<Pfn>(r.in(0, (1 << 18) >> o)) << o;
  const Pfn buddy = find_buddy_pfn(pfn, o);  // the model's __find_buddy_pfn
  q.numbers = {{"pfn", static_cast<long long>(pfn)}, {"order", o}, {"buddy", static_cast<long long>(buddy)}};
  const Pfn bit = Pfn{1} << o;
  if (r.in(0, 1) == 0) {
    q.question = {"What is the pfn of the buddy of the order-" + num(o) + " block at pfn " + num(pfn) + "?",
                  "pfn " + num(pfn) + " 处的 " + num(o) + " 阶块，它的伙伴块的 pfn 是多少？"};
    q.answer = num(buddy);
    q.choices = choices(r, q.answer,
                        {num(pfn + bit), num(pfn >= bit ? pfn - bit : pfn + 2 * bit), num(pfn ^ (bit << 1)),
                         num(pfn ^ (bit >> 1 ? bit >> 1 : 2))});
  } else {
    const Pfn merged = pfn & buddy;  // __free_one_page: combined_pfn = buddy_pfn & pfn
    q.numbers.push_back({"merged", static_cast<long long>(merged)});
    q.question = {"The order-" + num(o) + " block at pfn " + num(pfn) +
                      " is freed while its buddy is free. At which pfn "
                      "does the merged order-" +
                      num(o + 1) + " block start?",
                  "释放 pfn " + num(pfn) + " 处的 " + num(o) + " 阶块时它的伙伴也空闲。合并后的 " + num(o + 1) +
                      " 阶块从哪个 pfn 开始？"};
    q.answer = num(merged);
    q.choices =
        choices(r, q.answer, {num(pfn), num(buddy), num(merged + 2 * bit), num(merged ? merged - 2 * bit : bit)});
  }
  q.explanation = {"__find_buddy_pfn: buddy = pfn ^ (1 << order) = " + num(pfn) + " ^ " + num(bit) + " = " +
                       num(buddy) + "; the merged block starts at pfn & buddy = " + num(pfn & buddy) + ".",
                   "__find_buddy_pfn：buddy = pfn ^ (1 << order) = " + num(pfn) + " ^ " + num(bit) + " = " +
                       num(buddy) + "；合并后的块从 pfn & buddy = " + num(pfn & buddy) + " 开始。"};
  return q;
}

// ---- free_pages_memory ----------------------------------------------------------------------
QuizQuestion gen_free_pages_memory(Rng& r) {
  QuizQuestion q;
  const Pfn start = static_cast<Pfn>(r.in(0, 48)), end = start + static_cast<Pfn>(r.in(2, 40));
  std::vector<Order> orders;
  for (auto [p, o] : free_pages_memory_blocks(start, end)) orders.push_back(o);  // the model's choice
  q.numbers = {{"start", static_cast<long long>(start)}, {"end", static_cast<long long>(end)}};
  q.question = {"memblock_free_all hands pfns " + num(start) + " to " + num(end - 1) +
                    " to __free_pages_memory. In which orders are the blocks freed, in pfn order?",
                "memblock_free_all 把 pfn " + num(start) + " 到 " + num(end - 1) +
                    " 交给 __free_pages_memory。按 pfn 顺序，释放的各块分别是几阶？"};
  q.answer = join_orders(orders);
  // Wrong: by size alone (ignoring alignment), or by alignment alone
  // (ignoring the end), or the right orders reversed.
  std::vector<Order> by_size, reversed(orders.rbegin(), orders.rend());
  for (Pfn p = start; p < end;) {
    Order o = 0;
    while (o + 1 < MAX_ORDER && p + (Pfn{2} << o) <= end) ++o;
    by_size.push_back(o);
    p += Pfn{1} << o;
  }
  std::vector<Order> by_align;
  for (Pfn p = start; p < end;) {
    Order o = p ? std::min<Order>(ffs_order(p), MAX_ORDER - 1) : MAX_ORDER - 1;
    by_align.push_back(o);
    p += Pfn{1} << o;
  }
  std::vector<Order> bigger = orders, longer = orders;
  ++bigger.back();
  longer.push_back(0);
  q.choices = choices(
      r, q.answer,
      {join_orders(by_size), join_orders(by_align), join_orders(reversed), join_orders(bigger), join_orders(longer)});
  std::string blocks_en, blocks_zh;
  for (auto [p, o] : free_pages_memory_blocks(start, end))
    blocks_en += " " + num(static_cast<long long>(p)) + "/" + num(o);
  q.explanation = {
      "Each block is as large as both the alignment of its first pfn and the pages left allow (pfn/order):" +
          blocks_en + ".",
      "每块取首 pfn 的对齐和剩余页数都允许的最大阶（pfn/阶）：" + blocks_en + "。"};
  return q;
}

// ---- split ----------------------------------------------------------------------------------
QuizQuestion gen_split(Rng& r) {
  QuizQuestion q;
  q.machine = kSmall;
  for (;;) {
    const Order K = static_cast<Order>(r.in(1, MAX_ORDER - 1));
    const Order k = static_cast<Order>(r.in(0, K - 1));
    auto m = scratch(q.machine);
    Zone& z = zone_of(*m, ZoneType::DMA32);
    if (z.free_area[K].free_list[idx(MigrateType::Movable)].empty()) continue;
    take_free_blocks(*m, z, MigrateType::Movable, k, K);
    auto p = rmqueue_smallest(*m, z, k, MigrateType::Movable);  // __rmqueue_smallest + expand
    if (!p) continue;
    const auto splits = events_of(*m, Ev::expand_split);
    std::string right;
    for (std::size_t i = 0; i < splits.size(); ++i)
      right += (i ? ", " : "") + num(static_cast<long long>(splits[i]->pfn)) + "/" + num(splits[i]->order);
    q.numbers = {{"pfn", static_cast<long long>(*p)}, {"order", k}, {"from_order", K}};
    q.question = {"An order-" + num(k) + " Movable request finds the smallest free block at order " + num(K) +
                      ", pfn " + num(static_cast<long long>(*p)) +
                      ". Which blocks (pfn/order) does expand() put back on the free lists, in order?",
                  "一个 " + num(k) + " 阶 Movable 请求找到的最小空闲块是 pfn " + num(static_cast<long long>(*p)) +
                      " 处的 " + num(K) + " 阶块。expand() 依次把哪些块（pfn/阶）放回空闲链表？"};
    q.answer = right;
    std::string low, up, asc;
    for (Order h = K; h-- > k;) {
      low += (low.empty() ? "" : ", ") + num(static_cast<long long>(*p)) + "/" + num(h);
      up +=
          (up.empty() ? "" : ", ") + num(static_cast<long long>(*p + (Pfn{1} << h))) + "/" + num(h + 1 < K ? h + 1 : h);
    }
    for (std::size_t i = splits.size(); i-- > 0;)
      asc += (asc.size() ? ", " : "") + num(static_cast<long long>(splits[i]->pfn)) + "/" + num(splits[i]->order);
    q.choices = choices(r, q.answer, {asc, low, up});
    q.explanation = narrate_events(*m, events_of(*m, Ev::rmqueue_smallest));
    const Bilingual e = narrate_events(*m, splits);
    q.explanation.en += "\n" + e.en;
    q.explanation.zh += "\n" + e.zh;
    return q;
  }
}

// ---- pcp --------------------------------------------------------------------------------------
constexpr const char* kPcpMachine = "ram=256M cpus=4";

QuizQuestion gen_pcp(Rng& r) {
  QuizQuestion q;
  q.machine = kPcpMachine;
  auto m = scratch(q.machine);
  drain_all_pages(*m);
  m->trace.clear();
  Zone& z = zone_of(*m, ZoneType::DMA32);
  const PerCpuPages& pcp = z.pcp[0];
  const int n = static_cast<int>(r.in(1, 4 * pcp.batch));
  const bool frees = r.in(0, 2) == 0;
  AllocRequest req;
  req.gfp = gfp::GFP_HIGHUSER_MOVABLE;
  std::vector<Pfn> got;
  for (int i = 0; i < n; ++i) {
    auto o = alloc_pages(*m, req);
    if (o && o->ok) got.push_back(o->pfn);
  }
  q.numbers = {{"n", n}, {"batch", pcp.batch}, {"high", pcp.high}};
  const std::string head_en = "On " + q.machine + ", CPU 0's per-CPU lists of zone DMA32 start empty (batch " +
                              num(pcp.batch) + ", high " + num(pcp.high) + "). ";
  const std::string head_zh = "在 " + q.machine + " 上，CPU 0 的 DMA32 每 CPU 链表起初为空（batch " + num(pcp.batch) +
                              "，high " + num(pcp.high) + "）。";
  if (!frees) {
    const bool refills = r.in(0, 1) == 0;
    if (refills) {
      const auto ev = events_of(*m, Ev::pcp_refill);
      q.question = {
          head_en + "How many times does rmqueue_bulk refill the list during " + num(n) +
              " order-0 GFP_HIGHUSER_MOVABLE allocations on CPU 0?",
          head_zh + "CPU 0 上连续 " + num(n) + " 次 0 阶 GFP_HIGHUSER_MOVABLE 分配期间，rmqueue_bulk 补充了几次？"};
      q.answer = num(static_cast<long long>(ev.size()));
      q.explanation = narrate_events(*m, ev);
    } else {
      q.question = {head_en + "How many pages are left on CPU 0's lists after " + num(n) +
                        " order-0 GFP_HIGHUSER_MOVABLE allocations?",
                    head_zh + "CPU 0 上 " + num(n) + " 次 0 阶 GFP_HIGHUSER_MOVABLE 分配之后，链表上还剩几页？"};
      q.answer = num(pcp.count);
      q.explanation = narrate_events(*m, events_of(*m, Ev::pcp_refilled));
    }
  } else {
    drain_all_pages(*m);
    m->trace.clear();
    for (Pfn p : got) (void)free_pages(*m, p, 0, 0);
    const auto drains = events_of(*m, Ev::pcp_drain);
    q.question = {head_en + "After " + num(n) + " order-0 allocations and a drain, the " + num(n) +
                      " pages are freed again on CPU 0. How many pages are on CPU 0's lists then?",
                  head_zh + "分配 " + num(n) + " 个 0 阶页并清空链表后，再在 CPU 0 上把这 " + num(n) +
                      " 页逐一释放。此时 CPU 0 的链表上有几页？"};
    q.answer = num(pcp.count);
    q.numbers.push_back({"drains", static_cast<long long>(drains.size())});
    q.explanation = narrate_events(*m, drains);
    prepend(q.explanation, "free_pcppages_bulk ran " + num(static_cast<long long>(drains.size())) + " time(s).",
            "free_pcppages_bulk 运行了 " + num(static_cast<long long>(drains.size())) + " 次。");
  }
  return q;
}

// ---- gfp ----------------------------------------------------------------------------------------
constexpr const char* kBig = "ram=6G cpus=2";
struct NamedGfp {
  const char* name;
  gfp_t g;
};
const std::vector<NamedGfp>& gfp_masks() {
  static const std::vector<NamedGfp> v = {
      {"GFP_KERNEL", gfp::GFP_KERNEL},
      {"GFP_ATOMIC", gfp::GFP_ATOMIC},
      {"GFP_USER", gfp::GFP_USER},
      {"GFP_HIGHUSER", gfp::GFP_HIGHUSER},
      {"GFP_HIGHUSER_MOVABLE", gfp::GFP_HIGHUSER_MOVABLE},
      {"GFP_KERNEL|__GFP_RECLAIMABLE", gfp::GFP_KERNEL | gfp::RECLAIMABLE},
      {"GFP_KERNEL|__GFP_DMA", gfp::GFP_KERNEL | gfp::DMA},
      {"GFP_KERNEL|__GFP_DMA32", gfp::GFP_KERNEL | gfp::DMA32},
      {"GFP_NOWAIT", gfp::GFP_NOWAIT},
      {"GFP_NOFS", gfp::GFP_NOFS},
      {"GFP_USER|__GFP_MOVABLE", gfp::GFP_USER | gfp::MOVABLE},
      {"GFP_DMA32|__GFP_MOVABLE|__GFP_RECLAIM", gfp::DMA32 | gfp::MOVABLE | gfp::RECLAIM},
      {"GFP_KERNEL_ACCOUNT", gfp::GFP_KERNEL_ACCOUNT},
      {"GFP_ATOMIC|__GFP_DMA", gfp::GFP_ATOMIC | gfp::DMA},
  };
  return v;
}

QuizQuestion gen_gfp(Rng& r) {
  QuizQuestion q;
  q.machine = kBig;
  const NamedGfp& g = r.pick(gfp_masks());
  auto m = scratch(q.machine);
  AllocRequest req;
  req.gfp = g.g;
  auto o = alloc_pages(*m, req);
  const auto prep = events_of(*m, Ev::alloc_prepare);
  const std::string zone = o && o->ok ? std::string(kZoneNames[idx(o->zone.zone)]) : "none";
  const std::string mt =
      prep.empty() ? "?" : std::string(kMigrateTypeNames[static_cast<unsigned>(prep.front()->get(Arg::mt))]);
  q.numbers = {{"gfp", g.g}};
  q.question = {"On " + q.machine + " (zones DMA, DMA32, Normal), alloc_pages(" + g.name +
                    ", 0) on a fresh machine: which zone gives the page, and from which migrate type's lists?",
                "在 " + q.machine + "（DMA、DMA32、Normal 三个 zone）上刚启动时执行 alloc_pages(" + g.name +
                    ", 0)：页来自哪个 zone，哪种迁移类型的链表？"};
  q.answer = zone + ", " + mt;
  std::vector<std::string> wrong;
  for (const char* zn : {"Normal", "DMA32", "DMA"})
    for (const char* t : {"Unmovable", "Movable", "Reclaimable"}) wrong.push_back(std::string(zn) + ", " + t);
  for (std::size_t i = wrong.size(); i > 1; --i)
    std::swap(wrong[i - 1], wrong[static_cast<std::size_t>(r.in(0, static_cast<long long>(i) - 1))]);
  q.choices = choices(r, q.answer, wrong);
  q.explanation = narrate_events(*m, prep);
  prepend(q.explanation,
          "gfp_zone(" + std::string(g.name) + ") allows zones up to " +
              (prep.empty() ? "?" : std::string(kZoneNames[static_cast<unsigned>(prep.front()->get(Arg::highest))])) +
              "; gfp_migratetype gives " + mt + ".",
          "gfp_zone(" + std::string(g.name) + ") 允许的最高 zone 是 " +
              (prep.empty() ? "?" : std::string(kZoneNames[static_cast<unsigned>(prep.front()->get(Arg::highest))])) +
              "；gfp_migratetype 得到 " + mt + "。");
  return q;
}

// ---- watermark ------------------------------------------------------------------------------------
constexpr const char* kWmarkMachine = "ram=1G cpus=2";

QuizQuestion gen_watermark(Rng& r) {
  QuizQuestion q;
  q.machine = kWmarkMachine;
  const Machine& m = quiz_machine(q.machine);
  const bool dma = r.in(0, 1) == 0;
  const Zone& z = m.nodes[0].zones[idx(dma ? ZoneType::DMA : ZoneType::DMA32)];
  const ZoneType highest = dma && r.in(0, 1) ? ZoneType::DMA32 : z.type;
  const unsigned w = static_cast<unsigned>(r.in(0, 2));
  const Order order = static_cast<Order>(r.in(0, 3));
  const long long mark = static_cast<long long>(z.watermark[w]);
  const long long reserve = static_cast<long long>(z.lowmem_reserve[idx(highest)]);
  const long long free = std::max<long long>(0, mark + reserve + r.in(-40, 40));
  // The model's __zone_watermark_ok with these numbers.
  const WatermarkCheck c = zone_watermark_check(z, order, static_cast<u64>(mark), highest, w, free);
  const char* wn[] = {"min", "low", "high"};
  q.numbers = {{"free", free}, {"order", order}, {"mark", mark}, {"reserve", reserve}, {"highest", idx(highest)}};
  q.question = {"On " + q.machine + ", zone " + std::string(z.name()) + " has " + num(free) + " free pages. An order-" +
                    num(order) + " request whose highest zone is " + std::string(kZoneNames[idx(highest)]) +
                    " checks the " + wn[w] + " watermark (" + num(mark) + " pages). Does zone_watermark_ok pass?",
                "在 " + q.machine + " 上，zone " + std::string(z.name()) + " 有 " + num(free) +
                    " 个空闲页。一个最高 zone 为 " + std::string(kZoneNames[idx(highest)]) + " 的 " + num(order) +
                    " 阶请求检查 " + wn[w] + " 水位（" + num(mark) + " 页）。zone_watermark_ok 能通过吗？"};
  q.answer = c.ok ? "pass" : "fail";
  q.choices = {"pass", "fail"};
  q.explanation = {
      "free - unusable = " + num(c.free) + " - " + num(c.unusable) + " = " + num(c.usable()) +
          (c.met() ? " > " : " <= ") + "mark + lowmem_reserve = " + num(c.mark) + " + " + num(c.reserve) + " = " +
          num(c.mark + c.reserve) +
          (c.met() && order > 0
               ? (c.block_order >= 0 ? "; a free block of order " + num(c.block_order) + " is on a usable list"
                                     : "; but no free block of a large enough order")
               : "") +
          ".",
      "free - unusable = " + num(c.free) + " - " + num(c.unusable) + " = " + num(c.usable()) +
          (c.met() ? " > " : " <= ") + "mark + lowmem_reserve = " + num(c.mark) + " + " + num(c.reserve) + " = " +
          num(c.mark + c.reserve) +
          (c.met() && order > 0
               ? (c.block_order >= 0 ? "；可用链表上有 " + num(c.block_order) + " 阶空闲块" : "；但没有足够大的空闲块")
               : "") +
          "。"};
  return q;
}

// ---- zonelist ---------------------------------------------------------------------------------------
QuizQuestion gen_zonelist(Rng& r) {
  QuizQuestion q;
  const int n = static_cast<int>(r.in(2, 4));
  static const std::vector<int> dists = {12, 15, 20, 25, 30, 40};
  std::vector<std::vector<int>> d(static_cast<std::size_t>(n), std::vector<int>(static_cast<std::size_t>(n), 10));
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j)
      d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] =
          d[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)] = r.pick(dists);
  std::string nodes, dist;
  for (int i = 0; i < n; ++i) {
    nodes += (i ? "," : "") + std::string("256M:") + num(i);
    for (int j = 0; j < n; ++j)
      dist += num(d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]) + (j + 1 < n ? "," : "");
    if (i + 1 < n) dist += ";";
  }
  q.machine = "ram=" + num(256 * n) + "M cpus=" + num(n) + " nodes=" + nodes + " distance=" + dist;
  const Machine& m = quiz_machine(q.machine);
  const int who = static_cast<int>(r.in(0, n - 1));
  const std::vector<int>& order = m.nodes[static_cast<std::size_t>(who)].node_order;  // build_zonelists'
  std::string right, table;
  for (std::size_t i = 0; i < order.size(); ++i) right += (i ? "," : "") + num(order[i]);
  q.numbers = {{"node", who}, {"nodes", n}};
  q.question = {"A NUMA machine has " + num(n) + " nodes of 256M, one CPU each, with distances " + dist +
                    " (row i: from node i). In which order of nodes does Node " + num(who) +
                    "'s fallback zonelist try them?",
                "一台 NUMA 机器有 " + num(n) + " 个 256M 的节点，每个一颗 CPU，距离表为 " + dist +
                    "（第 i 行：从节点 i 出发）。节点 " + num(who) + " 的后备 zonelist 按什么节点顺序尝试？"};
  q.answer = right;
  std::vector<std::string> wrong;
  std::vector<int> perm(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
  do {
    std::string s;
    for (std::size_t i = 0; i < perm.size(); ++i) s += (i ? "," : "") + num(perm[i]);
    if (s != right) wrong.push_back(s);
  } while (std::next_permutation(perm.begin(), perm.end()));
  for (std::size_t i = wrong.size(); i > 1; --i)
    std::swap(wrong[i - 1], wrong[static_cast<std::size_t>(r.in(0, static_cast<long long>(i) - 1))]);
  // A plausible wrong one first: the node itself last.
  q.choices = choices(r, q.answer, wrong);
  for (const std::string& l : m.log)
    if (l.rfind("Fallback order for Node " + num(who) + ":", 0) == 0) table = l;
  q.explanation = {
      "build_zonelists takes the nearest node not taken yet (find_next_best_node; equal distances are broken by the "
      "load it spreads); the boot log says: " +
          table,
      "build_zonelists 每次取尚未选过的最近节点（find_next_best_node；距离相同时按分摊的负载决定）；启动日志写道：" +
          table};
  return q;
}

// ---- oom ---------------------------------------------------------------------------------------------
constexpr const char* kOomMachine = "ram=256M cpus=1";

QuizQuestion gen_oom(Rng& r) {
  QuizQuestion q;
  q.machine = kOomMachine;
  auto m = scratch(q.machine);
  const int n = static_cast<int>(r.in(3, 5));
  static const std::vector<int> adjs = {-1000, -500, 0, 0, 0, 100, 300, 500, 1000};
  std::vector<int> pids;
  std::string list_en, list_zh;
  for (int i = 0; i < n; ++i) {
    SpawnRequest s;
    s.name = std::string(1, static_cast<char>('A' + i));
    s.anon = static_cast<u64>(r.in(2, 40)) << 20;
    s.oom_score_adj = r.pick(adjs);
    auto pid = spawn(*m, s);
    if (!pid) continue;
    pids.push_back(*pid);
    list_en += (i ? ", " : "") + s.name + " (anon " + num(static_cast<long long>(s.anon >> 20)) + "M, adj " +
               num(s.oom_score_adj) + ")";
    q.numbers.push_back({s.name + ".adj", s.oom_score_adj});
    q.numbers.push_back({s.name + ".anon_mb", static_cast<long long>(s.anon >> 20)});
  }
  list_zh = list_en;
  const u64 total = oom_totalpages(*m);
  std::vector<std::optional<long long>> points;
  std::vector<std::string> names;
  for (int pid : pids) {
    const Task* t = find_task(*m, pid);
    points.push_back(oom_badness(task_mem(*m, *t), total));  // the engine's oom_badness
    names.push_back(t->comm);
  }
  if (r.in(0, 1) == 0) {
    auto v = select_bad_process(points);
    q.question = {
        "On " + q.machine + " (no swap) run " + list_en + ". If the OOM killer ran now, whom would it choose?",
        "在 " + q.machine + "（无 swap）上运行 " + list_zh + "。如果此时 OOM killer 运行，它会选谁？"};
    q.answer = v ? names[*v] : "nobody";
    std::vector<std::string> wrong = names;
    wrong.push_back("nobody");
    q.choices = choices(r, q.answer, wrong, std::min<std::size_t>(5, names.size() + 1));
  } else {
    const std::size_t i = static_cast<std::size_t>(r.in(0, static_cast<long long>(names.size()) - 1));
    const Task* t = find_task(*m, pids[i]);
    q.question = {
        "On " + q.machine + " (no swap) run " + list_en + ". What does /proc/PID/oom_score print for " + names[i] + "?",
        "在 " + q.machine + "（无 swap）上运行 " + list_zh + "。" + names[i] + " 的 /proc/PID/oom_score 是多少？"};
    q.answer = num(static_cast<long long>(proc_oom_score(task_mem(*m, *t), total)));
    q.numbers.push_back({"task", static_cast<long long>(i)});
  }
  std::string terms_en, terms_zh;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Badness b = oom_badness_terms(task_mem(*m, *find_task(*m, pids[i])), total);
    terms_en += "\n" + names[i] + ": rss " + num(b.rss) + " + pgtables " + num(b.pgtables) + " + swap " +
                num(b.swapents) + " + adj " + num(b.adj) + " * " + num(b.adj_unit) + " = " +
                (b.points ? num(*b.points) : std::string("not a candidate"));
    terms_zh += "\n" + names[i] + "：rss " + num(b.rss) + " + 页表 " + num(b.pgtables) + " + swap " + num(b.swapents) +
                " + adj " + num(b.adj) + " * " + num(b.adj_unit) + " = " +
                (b.points ? num(*b.points) : std::string("不是候选"));
  }
  q.explanation = {
      "oom_badness with totalpages " + num(static_cast<long long>(total)) + ":" + terms_en +
          "\nThe highest wins; a tie goes to the later task; oom_score = (1000 + badness*1000/totalpages)*2/3.",
      "totalpages 为 " + num(static_cast<long long>(total)) + " 时的 oom_badness：" + terms_zh +
          "\n最高者被选中；相同时选后面的任务；oom_score = (1000 + badness*1000/totalpages)*2/3。"};
  return q;
}

// ---- slab ----------------------------------------------------------------------------------------------
constexpr const char* kSlabMachine = "ram=256M cpus=2";

QuizQuestion gen_slab(Rng& r) {
  QuizQuestion q;
  q.machine = kSlabMachine;
  auto m = scratch(q.machine);
  static const std::vector<u32> aligns = {0, 0, 8, 16, 64};
  const u32 size = static_cast<u32>(r.in(0, 3) == 0 ? r.in(8, 64) : r.in(8, 4096));
  const u32 align = r.pick(aligns);
  const bool hw = r.in(0, 2) == 0;
  const u32 flags = hw ? slabf::HWCACHE_ALIGN : 0;
  auto id = kmem_cache_create(*m, "quiz_object", size, align, flags);  // the engine's kmem_cache_create
  const KmemCache* c = id ? cache_of(*m, *id) : nullptr;
  const std::string how = "kmem_cache_create(\"quiz_object\", " + num(size) + ", " + num(align) + ", " +
                          (hw ? "SLAB_HWCACHE_ALIGN" : "0") + ")";
  q.numbers = {{"size", size}, {"align", align}, {"flags", flags}};
  const bool pages = r.in(0, 1) == 0;
  q.question = pages ? Bilingual{"On " + q.machine + ", " + how + ": how many pages does each slab take?",
                                 "在 " + q.machine + " 上执行 " + how + "：每个 slab 占几页？"}
                     : Bilingual{"On " + q.machine + ", " + how + ": how many objects does each slab hold?",
                                 "在 " + q.machine + " 上执行 " + how + "：每个 slab 能放几个对象？"};
  if (!c) {
    q.answer = "none";
    return q;
  }
  q.answer = pages ? num(1ll << c->g.order) : num(c->g.objects);
  q.numbers.push_back({"objects", c->g.objects});
  q.numbers.push_back({"slab_order", c->g.order});
  q.explanation = narrate_events(*m, events_of(*m, Ev::calculate_sizes));
  const Bilingual open = narrate_events(*m, events_of(*m, Ev::kmem_cache_open));
  q.explanation.en += "\n" + open.en;
  q.explanation.zh += "\n" + open.zh;
  return q;
}

// ---- kmalloc -----------------------------------------------------------------------------------------
QuizQuestion gen_kmalloc(Rng& r) {
  QuizQuestion q;
  q.machine = kSlabMachine;
  auto m = scratch(q.machine);
  const int kind = static_cast<int>(r.in(0, 9));
  const u64 size = kind == 0  ? static_cast<u64>(r.in(8193, 3 << 20))
                   : kind < 4 ? static_cast<u64>(r.in(1, 256))
                              : static_cast<u64>(r.in(1, 8192));
  static const std::vector<NamedGfp> masks = {{"GFP_KERNEL", gfp::GFP_KERNEL},
                                              {"GFP_KERNEL", gfp::GFP_KERNEL},
                                              {"GFP_KERNEL_ACCOUNT", gfp::GFP_KERNEL_ACCOUNT},
                                              {"GFP_KERNEL|__GFP_RECLAIMABLE", gfp::GFP_KERNEL | gfp::RECLAIMABLE},
                                              {"GFP_KERNEL|GFP_DMA", gfp::GFP_KERNEL | gfp::DMA}};
  const NamedGfp& g = r.pick(masks);
  auto o = kmalloc(*m, size, g.g);  // the engine's kmalloc
  q.numbers = {{"size", static_cast<long long>(size)}, {"gfp", g.g}};
  q.question = {"Which cache serves kmalloc(" + num(static_cast<long long>(size)) + ", " + g.name + ")?",
                "kmalloc(" + num(static_cast<long long>(size)) + ", " + g.name + ") 由哪个缓存提供？"};
  std::string right = "none";
  if (o && o->ok && o->cache != NO_CACHE)
    right = cache_of(*m, o->cache)->name;
  else if (o && o->ok)
    right = "kmalloc_large (order " + num(m->slub->large.at(o->pfn).order) + ")";
  q.answer = right;
  std::vector<std::string> wrong;
  auto kname = [](u64 b) {
    return b >= 1024 ? num(static_cast<long long>(b >> 10)) + "k" : num(static_cast<long long>(b));
  };
  const char* prefix = g.g & gfp::DMA           ? "dma-kmalloc-"
                       : g.g & gfp::RECLAIMABLE ? "kmalloc-rcl-"
                       : g.g & gfp::ACCOUNT     ? "kmalloc-cg-"
                                                : "kmalloc-";
  for (u64 s :
       {roundup_pow_of_two(size), roundup_pow_of_two(size) * 2, roundup_pow_of_two(size) / 2, u64{96}, u64{192}})
    if (s >= 8 && s <= 8192) {
      wrong.push_back(prefix + kname(s));
      wrong.push_back("kmalloc-" + kname(s));
    }
  wrong.push_back("kmalloc_large (order " +
                  num(size > 8192 ? static_cast<long long>(ffs_order(roundup_pow_of_two(size) >> PAGE_SHIFT)) : 1) +
                  ")");
  wrong.push_back("kmalloc_large (order " +
                  num(size > 8192 ? static_cast<long long>(ffs_order(roundup_pow_of_two(size) >> PAGE_SHIFT)) + 1 : 2) +
                  ")");
  q.choices = choices(r, q.answer, wrong);
  std::vector<const Event*> evs = events_of(*m, Ev::kmalloc_slab);
  for (const Event* e : events_of(*m, Ev::kmalloc_large)) evs.push_back(e);
  q.explanation = narrate_events(*m, evs);
  return q;
}

// ---- fallback -------------------------------------------------------------------------------------------
QuizQuestion gen_fallback(Rng& r) {
  QuizQuestion q;
  q.machine = kSmall;
  static const std::vector<MigrateType> types = {MigrateType::Unmovable, MigrateType::Reclaimable,
                                                 MigrateType::Movable};
  for (;;) {
    const MigrateType want = r.pick(types);
    const Order order = static_cast<Order>(r.in(0, 3));
    auto m = scratch(q.machine);
    Zone& z = zone_of(*m, ZoneType::DMA32);
    take_free_blocks(*m, z, want, 0, MAX_ORDER);
    const bool empty_first = r.in(0, 1) == 0;  // also empty the first fallback's lists
    MigrateType first = want == MigrateType::Reclaimable ? MigrateType::Unmovable : MigrateType::Reclaimable;
    if (empty_first) take_free_blocks(*m, z, first, 0, MAX_ORDER);
    auto p = rmqueue(*m, z, order, want, 0);  // __rmqueue: smallest first, then __rmqueue_fallback
    const auto fb = events_of(*m, Ev::fallback);
    if (!p || fb.empty()) continue;
    const Event& e = *fb.front();
    const std::string mt = std::string(kMigrateTypeNames[static_cast<unsigned>(e.mt)]);
    q.numbers = {{"order", order}, {"mt", idx(want)}, {"emptied", empty_first ? 2 : 1}};
    const std::string emptied_en = empty_first ? " and " + std::string(kMigrateTypeNames[idx(first)]) : "";
    q.question = {"On " + q.machine + ", zone DMA32's " + std::string(kMigrateTypeNames[idx(want)]) + emptied_en +
                      " free lists are empty. An order-" + num(order) + " " +
                      std::string(kMigrateTypeNames[idx(want)]) +
                      " request falls back: from which list, and which order of block, does __rmqueue_fallback take?",
                  "在 " + q.machine + " 上，zone DMA32 的 " + std::string(kMigrateTypeNames[idx(want)]) +
                      (empty_first ? " 和 " + std::string(kMigrateTypeNames[idx(first)]) : "") +
                      " 空闲链表都空了。一个 " + num(order) + " 阶 " + std::string(kMigrateTypeNames[idx(want)]) +
                      " 请求进入后备：__rmqueue_fallback 从哪个链表取、取几阶的块？"};
    q.answer = mt + ", order " + num(e.order);
    std::vector<std::string> wrong;
    for (MigrateType t : types)
      for (int o : {static_cast<int>(order), static_cast<int>(MAX_ORDER) - 1, static_cast<int>(pageblock_order),
                    static_cast<int>(e.order)})
        wrong.push_back(std::string(kMigrateTypeNames[idx(t)]) + ", order " + num(o));
    for (std::size_t i = wrong.size(); i > 1; --i)
      std::swap(wrong[i - 1], wrong[static_cast<std::size_t>(r.in(0, static_cast<long long>(i) - 1))]);
    q.choices = choices(r, q.answer, wrong);
    std::vector<const Event*> evs = fb;
    for (Ev c : {Ev::fallback_claim_block, Ev::fallback_steal})
      for (const Event* x : events_of(*m, c)) evs.push_back(x);
    q.explanation = narrate_events(*m, evs);
    prepend(q.explanation,
            "The fallback table tries, for each order from the largest down, the types listed for " +
                std::string(kMigrateTypeNames[idx(want)]) + ".",
            "后备表从最大阶往下，依次尝试 " + std::string(kMigrateTypeNames[idx(want)]) + " 的后备类型。");
    return q;
  }
}

struct Topic {
  std::string_view id;
  Gen gen;
};
constexpr Topic kTopics[] = {
    {"buddy", gen_buddy},       {"free_pages_memory", gen_free_pages_memory},
    {"split", gen_split},       {"pcp", gen_pcp},
    {"gfp", gen_gfp},           {"watermark", gen_watermark},
    {"zonelist", gen_zonelist}, {"fallback", gen_fallback},
    {"oom", gen_oom},           {"slab", gen_slab},
    {"kmalloc", gen_kmalloc},
};
constexpr std::array<std::string_view, std::size(kTopics)> topic_names() {
  std::array<std::string_view, std::size(kTopics)> a{};
  for (std::size_t i = 0; i < std::size(kTopics); ++i) a[i] = kTopics[i].id;
  return a;
}
constexpr auto kTopicNames = topic_names();

}  // namespace

std::span<const std::string_view> quiz_topics() { return kTopicNames; }

const Machine& quiz_machine(const std::string& spec) {
  static std::map<std::string, std::unique_ptr<Machine>> booted;
  auto it = booted.find(spec);
  if (it != booted.end()) return *it->second;
  Playground pg;
  Status s = pg.boot_shorthand(spec, "<quiz>");
  // The generators only ask for machines the model boots; a failure is a bug.
  if (!s) std::abort();
  return *booted.emplace(spec, std::make_unique<Machine>(*pg.machine())).first->second;
}

Expected<std::vector<QuizQuestion>> make_quiz(std::string_view topic, u64 seed, int count) {
  const Topic* t = nullptr;
  for (const Topic& k : kTopics)
    if (k.id == topic) t = &k;
  if (!t) return Diagnostic{"", 0, 0, unknown_word("quiz topic", topic, kTopicNames, "topics")};
  if (count < 1 || count > 50) return Diagnostic{"", 0, 0, "--count takes 1 to 50"};
  std::vector<QuizQuestion> out;
  Rng r{seed * 0x2545f4914f6cdd1dull ^ topic_hash(topic)};
  for (int i = 0, tries = 0; static_cast<int>(out.size()) < count && tries < count * 20; ++tries) {
    QuizQuestion q = t->gen(r);
    bool seen = false;
    for (const QuizQuestion& o : out) seen = seen || o.question.en == q.question.en;
    if (seen) continue;
    q.topic = std::string(topic);
    q.seed = seed;
    q.index = i++;
    out.push_back(std::move(q));
  }
  return out;
}

std::string quiz_text(const std::vector<QuizQuestion>& qs, Lang lang, bool answers) {
  std::string out;
  for (const QuizQuestion& q : qs) {
    out += num(q.index + 1) + ". " + q.question.in(lang) + "\n";
    for (std::size_t k = 0; k < q.choices.size(); ++k)
      out += std::string("   ") + static_cast<char>('a' + k) + ") " + q.choices[k] + "\n";
    if (answers) {
      out += (lang == Lang::zh ? "   答案：" : "   answer: ") + q.answer + "\n";
      std::string_view e = q.explanation.in(lang);
      for (std::size_t p = 0; p < e.size();) {
        std::size_t nl = e.find('\n', p);
        if (nl == std::string_view::npos) nl = e.size();
        out += "     " + std::string(e.substr(p, nl - p)) + "\n";
        p = nl + 1;
      }
    }
    out += "\n";
  }
  if (!answers)
    out += lang == Lang::zh ? "（加 --answers 或 -c 显示答案）\n" : "(run with --answers or -c to see the answers)\n";
  return out;
}

std::string quiz_json(const std::vector<QuizQuestion>& qs, Lang lang) {
  Json j;
  j.open('[');
  for (const QuizQuestion& q : qs) {
    j.open('{').field("topic", q.topic).field("seed", static_cast<long long>(q.seed)).field("index", q.index);
    j.field("machine", q.machine).field("question", q.question.in(lang));
    j.key("choices").open('[');
    for (const std::string& c : q.choices) j.str(c);
    j.close(']');
    j.field("answer", q.answer).field("explanation", q.explanation.in(lang));
    for (const auto& [k, v] : q.numbers) j.field(k, v);
    j.close('}');
  }
  j.close(']');
  return j.take();
}

}  // namespace mm
