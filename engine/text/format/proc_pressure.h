// /proc views of memory pressure in the kernel's formats: /proc/meminfo
// (fs/proc/meminfo.c), /proc/PID/oom_score, and a ps-like table of the
// tasks with their badness. Read from the model's counters
// (mm/pressure/task.h mem_counters, oom.h) and nothing else.
#pragma once

#include <string>

#include "mm/core/machine.h"

namespace mm {

std::string proc_meminfo(const Machine& m);
std::string proc_pid_oom_score(const Machine& m, int pid);  // "765\n"
std::string proc_tasks(const Machine& m);                   // a ps-like table with badness

}  // namespace mm
