// build_all_zonelists(): the order in which each node's allocations try
// the nodes and zones of the machine.
//
//   node order    itself first, then by distance (find_next_best_node),
//                 equal distances spread round-robin by node_load
//   fallback      the zones of every node in that order, highest zone first
//   nofallback    the node's own zones only (__GFP_THISNODE)
#include <algorithm>

#include "mm/boot/phases.h"

namespace mm::phase {

namespace {

void append_zones(const Node& n, std::vector<ZoneRef>& out) {
  for (unsigned z = MAX_NR_ZONES; z-- > 0;)
    if (n.zones[z].populated()) out.push_back({n.id, static_cast<ZoneType>(z)});
}

// kernel: find_next_best_node(): the nearest unused node with memory,
// preferring the next node up and nodes without CPUs, then the least loaded.
int find_next_best_node(const Machine& m, int node, std::vector<bool>& used, const std::vector<int>& node_load) {
  // 6.12 skips a memoryless local node (it has nothing to allocate from).
  const bool local_ok = m.spec.version == KernelVersion::v6_1 || m.nodes[static_cast<size_t>(node)].has_memory();
  if (!used[static_cast<size_t>(node)] && local_ok) {
    used[static_cast<size_t>(node)] = true;
    return node;
  }
  long long min_val = 1LL << 62;
  int best = -1;
  for (const Node& cand : m.nodes) {
    if (!cand.has_memory() || used[static_cast<size_t>(cand.id)]) continue;
    long long val = m.spec.node_distance(node, cand.id);
    val += cand.id < node;             // prefer the next node up
    if (!cand.cpus.empty()) val += 1;  // PENALTY_FOR_NODE_WITH_CPUS
    val *= MAX_NUMNODES;
    val += node_load[static_cast<size_t>(cand.id)];
    if (val < min_val) {
      min_val = val;
      best = cand.id;
    }
  }
  if (best >= 0) used[static_cast<size_t>(best)] = true;
  return best;
}

// kernel: build_zonelists() of one node, and its "Fallback order" line.
void build_zonelists(Machine& m, Node& n, std::vector<int>& node_load) {
  std::vector<bool> used(m.nodes.size(), false);
  n.node_order.clear();
  int prev = n.id;
  for (;;) {
    const int best = find_next_best_node(m, n.id, used, node_load);
    if (best < 0) break;
    if (m.spec.node_distance(n.id, best) != m.spec.node_distance(n.id, prev)) node_load[static_cast<size_t>(best)] += 1;
    n.node_order.push_back(best);
    prev = best;
  }
  n.zonelist_fallback.clear();
  for (int o : n.node_order) append_zones(m.nodes[static_cast<size_t>(o)], n.zonelist_fallback);
  n.zonelist_nofallback.clear();
  append_zones(n, n.zonelist_nofallback);
  if (!m.spec.config.numa) return;  // !CONFIG_NUMA: build_zonelists() lists the one node silently
  std::string line = "Fallback order for Node " + std::to_string(n.id) + ": ";
  for (int o : n.node_order) line += std::to_string(o) + " ";
  m.printk(line);
}

// mminit_verify_zonelist(): every populated zone's view of both zonelists.
void mminit_verify_zonelist(Machine& m) {
  for (const Node& n : m.nodes)
    for (int list = 0; list < 2; ++list)
      for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
        if (!n.zones[z].populated()) continue;
        std::string line = std::string("mminit::zonelist ") + (list ? "thisnode " : "general ") + std::to_string(n.id) +
                           ":" + std::string(kZoneNames[z]) + " = ";
        for (const ZoneRef& r : list ? n.zonelist_nofallback : n.zonelist_fallback)
          if (idx(r.zone) <= z) line += std::to_string(r.node) + ":" + std::string(kZoneNames[idx(r.zone)]) + " ";
        m.printk(line);
      }
}

}  // namespace

// kernel: build_all_zonelists()
void build_all_zonelists(Machine& m) {
  TraceScope scope(m.trace, Ev::build_all_zonelists);
  std::vector<int> node_load(m.nodes.size(), 0);
  for (Node& n : m.nodes) build_zonelists(m, n, node_load);
  mminit_verify_zonelist(m);
  m.vm_total_pages = nr_free_zone_pages(m, ZoneType::Movable);
  m.page_group_by_mobility_disabled =
      !m.spec.knobs.mobility_grouping || m.vm_total_pages < u64{pageblock_nr_pages} * MIGRATE_TYPES;
  m.printk("Built " + std::to_string(m.nodes.size()) + " zonelists, mobility grouping " +
           (m.page_group_by_mobility_disabled ? "off" : "on") + ".  Total pages: " + std::to_string(m.vm_total_pages));
  if (!m.spec.config.numa) return;  // policy_zone is a mempolicy (CONFIG_NUMA) variable
  unsigned policy = 0;
  for (const Node& n : m.nodes)
    for (unsigned z = 0; z <= idx(ZoneType::Normal); ++z)
      if (n.zones[z].populated()) policy = std::max(policy, z);
  m.printk("Policy zone: " + std::string(kZoneNames[policy]));
}

}  // namespace mm::phase
