# kswapd: page cache is clean and cheap to reclaim. Fill memory with cache,
# then let a program need anonymous memory: free pages fall below the low
# watermark, kswapd wakes and reclaims inactive file pages until a zone is
# back above high. Nobody is killed.
machine ram=512M cpus=2
read big.iso size=300M
expect inactive_file == 76800
spawn app anon=250M
expect kswapd_runs >= 1
expect oom_kills == 0
expect inactive_file < 76800
expect task app rss == 64000
proc meminfo
# Dropping the cache gives the rest back.
drop_caches
expect inactive_file == 0
