/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * For "no allocation per packet" tests: glibc's allocator interposed and
 * counted while alloc_watch is set. Include it once per test binary (it
 * defines malloc, calloc, realloc and free). Under ASan, which owns the
 * allocator, IDS_COUNT_ALLOC is 0 and nothing is defined: the test that
 * uses it is then not registered, not passed.
 */
#ifndef FFWD_ALLOC_COUNT_H
#define FFWD_ALLOC_COUNT_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define IDS_COUNT_ALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IDS_COUNT_ALLOC 0
#endif
#endif
#ifndef IDS_COUNT_ALLOC
#define IDS_COUNT_ALLOC 1
#endif

#if IDS_COUNT_ALLOC
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static volatile int alloc_watch;
static volatile unsigned long alloc_count;

void *
malloc(size_t n)
{
	if (alloc_watch)
		alloc_count++;
	return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	if (alloc_watch)
		alloc_count++;
	return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	if (alloc_watch)
		alloc_count++;
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}
#endif /* IDS_COUNT_ALLOC */

#endif /* FFWD_ALLOC_COUNT_H */
