// LD_PRELOAD shim for jit-far-mappings.test: every anonymous mmap without
// an address lands 4 GiB after the previous one, from 2^45 up (what
// AddressSanitizer's spread-out address space sometimes did), so that
// mappings made separately are never within 2 GiB of each other. glibc's
// malloc maps through its internal entry point and is not affected.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

static uintptr_t next = (uintptr_t)1 << 45;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  static void *(*real)(void *, size_t, int, int, int, off_t);
  if (!real)
    real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT,
                                                                 "mmap");
  if (!addr && (flags & MAP_ANONYMOUS) && !(flags & MAP_FIXED)) {
    addr = (void *)next;
    next += (((uintptr_t)len + 0xfff) & ~(uintptr_t)0xfff) + ((uintptr_t)4 << 30);
  }
  return real(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
    __attribute__((alias("mmap")));
