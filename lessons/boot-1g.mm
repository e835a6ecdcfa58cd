# Boot the qemu machine of the reference capture m1g-smp2 and check the
# figures a real Linux 6.1 kernel prints for it (see ../shared/reference).
machine ram=1G cpus=2

# Zone sizes are exact: spanned covers holes, present does not.
expect zone DMA spanned == 4095
expect zone DMA present == 3998
expect zone DMA32 spanned == 258016
expect zone DMA32 present == 258016

# khugepaged asks for (2 + 3*3) pageblocks per zone: 11 * 512 * 2 pages.
expect min_free_kbytes == 45056
expect zone DMA32 min == 11086
expect zone DMA32 low == 13857
expect zone DMA32 high == 16628
expect zone DMA protection[1] == 936

# pcp high is the low watermark split over the node's CPUs.
expect zone DMA32 pcp.high == 6928
expect zone DMA32 pcp.batch == 63

expect log contains "Built 1 zonelists, mobility grouping on.  Total pages: 257760"
proc zoneinfo
