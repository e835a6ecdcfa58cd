// /proc/meminfo, /proc/PID/oom_score and the tasks table.
#include "text/format/proc_pressure.h"

#include <cstdio>

#include "mm/pressure/oom.h"
#include "mm/pressure/task.h"

namespace mm {

std::string proc_pid_oom_score(const Machine& m, int pid) {
  const Task* t = find_task(m, pid);
  if (!t) return "";
  return std::to_string(proc_oom_score(task_mem(m, *t), oom_totalpages(m))) + "\n";
}

std::string proc_meminfo(const Machine& m) {
  const MemCounters c = mem_counters(m);
  std::string s;
  auto line = [&](const char* name, u64 pages) {
    char b[64];
    std::snprintf(b, sizeof b, "%-16s%8llu kB\n", (std::string(name) + ":").c_str(),
                  static_cast<unsigned long long>(pages << (PAGE_SHIFT - 10)));
    s += b;
  };
  line("MemTotal", m.totalram_pages);
  line("MemFree", c.free);
  line("MemAvailable", c.available);
  line("Buffers", 0);
  line("Cached", c.file_lru() + c.shmem);
  line("SwapCached", 0);
  line("Active", c.lru[LRU_ACTIVE_ANON] + c.lru[LRU_ACTIVE_FILE]);
  line("Inactive", c.lru[LRU_INACTIVE_ANON] + c.lru[LRU_INACTIVE_FILE]);
  line("Active(anon)", c.lru[LRU_ACTIVE_ANON]);
  line("Inactive(anon)", c.lru[LRU_INACTIVE_ANON]);
  line("Active(file)", c.lru[LRU_ACTIVE_FILE]);
  line("Inactive(file)", c.lru[LRU_INACTIVE_FILE]);
  line("Unevictable", 0);
  line("Mlocked", 0);
  line("SwapTotal", c.swap_total);
  line("SwapFree", c.swap_total - c.swap_used);
  line("Zswap", 0);
  line("Zswapped", 0);
  line("Dirty", 0);
  line("Writeback", 0);
  line("AnonPages", c.anon);
  line("Mapped", c.mapped);
  line("Shmem", c.shmem);
  line("KReclaimable", c.slab_reclaimable);
  line("Slab", c.slab_reclaimable + c.slab_unreclaimable);
  line("SReclaimable", c.slab_reclaimable);
  line("SUnreclaim", c.slab_unreclaimable);
  line("KernelStack", 0);
  line("PageTables", c.pagetables);
  line("SecPageTables", 0);
  line("NFS_Unstable", 0);
  line("Bounce", 0);
  line("WritebackTmp", 0);
  line("CommitLimit", m.totalram_pages / 2 + c.swap_total);
  // What the model has no part of (vmalloc, per-CPU chunks, huge pages) reads
  // 0; the lines are the kernel's, so a diff against a real meminfo lines up.
  line("Committed_AS", c.anon + c.shmem);
  s += "VmallocTotal:   " + std::to_string((u64{32} << 40 >> 10) - 1) + " kB\n";  // 32 TiB (4-level paging)
  for (const char* zero : {"VmallocUsed", "VmallocChunk", "Percpu"}) line(zero, 0);
  s += "HardwareCorrupted:     0 kB\n";  // the kernel's own "%5lu" for this one
  for (const char* zero : {"AnonHugePages", "ShmemHugePages", "ShmemPmdMapped", "FileHugePages", "FilePmdMapped"})
    line(zero, 0);
  if (m.spec.version == KernelVersion::v6_12) line("Unaccepted", 0);  // 6.12: memory not yet accepted (TDX/SNP)
  for (const char* huge : {"HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"}) {
    char b[64];
    std::snprintf(b, sizeof b, "%-16s%8d\n", (std::string(huge) + ":").c_str(), 0);
    s += b;
  }
  line("Hugepagesize", pageblock_nr_pages);
  line("Hugetlb", 0);
  line("DirectMap4k", 0);
  line("DirectMap2M", 0);
  return s;
}

std::string proc_tasks(const Machine& m) {
  std::string s = "  pid name              adj    anon    file   shmem    swap  pgtbl   badness oom_score\n";
  if (!m.pressure) return s;
  const u64 total = oom_totalpages(m);
  for (const Task& t : m.pressure->tasks) {
    if (!t.alive) continue;
    const TaskMem tm = task_mem(m, t);
    auto b = oom_badness(tm, total);
    char line[200];
    std::snprintf(line, sizeof line, "%5d %-15s %5d %7lld %7lld %7lld %7lld %6lld %9s %9llu\n", t.pid, t.comm.c_str(),
                  t.oom_score_adj, tm.rss_anon, tm.rss_file, tm.rss_shmem, tm.swapents,
                  tm.pgtables_bytes / static_cast<long long>(PAGE_SIZE), b ? std::to_string(*b).c_str() : "-",
                  proc_oom_score(tm, total));
    s += line;
  }
  return s;
}

}  // namespace mm
