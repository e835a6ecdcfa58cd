# The reference capture oom-m256-smp1, replayed: five hogs with different
# oom_score_adj values, then a task that touches memory until the OOM killer
# runs. A real Linux 6.1 kernel killed D (adj 1000), then B (adj 500), then
# the growing task itself; E (adj -1000) is never a candidate.
machine ram=256M cpus=1
spawn A anon=30M adj=0
spawn B anon=30M adj=500
spawn C anon=30M adj=-500
spawn D anon=8M adj=1000
spawn E anon=30M adj=-1000

# /proc/PID/oom_score before the OOM: (1000 + badness * 1000 / totalpages) * 2 / 3
expect task D oom_score > 1300
expect task B oom_score > 1000
expect task E oom_score == 0
proc tasks

spawn T anon=1G
expect oom_kills == 3
expect task D alive == 0
expect task B alive == 0
expect task T alive == 0
expect task A alive == 1
expect task C alive == 1
expect task E alive == 1
expect log contains "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=D"
proc meminfo
