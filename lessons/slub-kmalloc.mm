# Lesson: where does kmalloc(100, GFP_KERNEL) go?
# SLUB (Linux 6.1) on a small two-CPU machine.
machine ram=256M cpus=2

echo kmalloc(100) is served by kmalloc-128: size_index[(100 - 1) / 8] = 7, 2^7 = 128.
expect cache kmalloc-128 objsize == 128
expect cache kmalloc-128 objperslab == 32
expect cache kmalloc-128 pagesperslab == 1

echo The first kmalloc finds no CPU slab: the slow path takes a new slab from the buddy allocator.
kmalloc a 100
expect cache kmalloc-128 num_slabs == 1
echo The second one pops CPU 0's freelist: the fast path.
kmalloc b 100
slab kmalloc-128

echo Another CPU has its own CPU slab.
kmalloc c 100 cpu=1
expect cache kmalloc-128 num_slabs == 2

echo kfree on the owning CPU pushes the object back on the CPU freelist.
kfree b
kfree a
kfree c

echo The classic example: kmem_cache_create("figo_object", 20, 8, 0).
kmem_cache_create figo_object 20 align=8
expect cache figo_object objsize == 24
expect cache figo_object objperslab == 170
kmem_cache_alloc obj figo_object
slab figo_object
kmem_cache_free obj
kmem_cache_shrink figo_object
expect cache figo_object num_slabs == 0
kmem_cache_destroy figo_object
proc slabinfo
