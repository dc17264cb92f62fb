// Live malloc'd bytes by chunk size, for finding where native memory per connection goes (OpenSSL's
// SSL objects, Node's TLS buffers) when a heap snapshot only shows the JS side. An LD_PRELOAD library:
//
//   gcc -shared -fPIC -O2 -o /tmp/malloc-live.so bench/lib/malloc-live.c
//   LD_PRELOAD=/tmp/malloc-live.so node core/dist/bin/starling.js start ...
//   kill -USR2 <pid>     # writes /tmp/malloc-live.<pid>.<n>: "<usable size, 16-byte bucket> <live count>"
//
// Take one dump before and one after opening N connections; `node bench/lib/malloc-diff.mjs a b N` prints
// the growth per connection by size. Start Starling without --heapsnapshot-signal=SIGUSR2 (same signal).
// Counts only malloc/calloc/realloc/free (not posix_memalign), with relaxed atomics: a diagnostic, not a profiler.
#define _GNU_SOURCE
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#define BUCKETS 70000 /* 16-byte buckets up to ~1.1 MB; larger chunks share the last one */
static long live[BUCKETS];
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static inline long *bucket(void *p) {
  size_t b = malloc_usable_size(p) / 16;
  return &live[b >= BUCKETS ? BUCKETS - 1 : b];
}
static inline void *counted(void *p) {
  if (p) __atomic_add_fetch(bucket(p), 1, __ATOMIC_RELAXED);
  return p;
}
void *malloc(size_t n) { return counted(__libc_malloc(n)); }
void *calloc(size_t a, size_t b) { return counted(__libc_calloc(a, b)); }
void free(void *p) {
  if (!p) return;
  __atomic_sub_fetch(bucket(p), 1, __ATOMIC_RELAXED);
  __libc_free(p);
}
void *realloc(void *p, size_t n) {
  if (p) __atomic_sub_fetch(bucket(p), 1, __ATOMIC_RELAXED);
  void *q = __libc_realloc(p, n);
  if (!q && p) return counted(p); /* failed: the old block is still live */
  return counted(q);
}

static void dump(int sig) {
  (void)sig;
  static int n = 0;
  char name[64];
  snprintf(name, sizeof name, "/tmp/malloc-live.%d.%d", (int)getpid(), n++);
  FILE *f = fopen(name, "w");
  if (!f) return;
  for (int i = 0; i < BUCKETS; i++)
    if (live[i]) fprintf(f, "%d %ld\n", i * 16, live[i]);
  fclose(f);
}
__attribute__((constructor)) static void init(void) { signal(SIGUSR2, dump); }
