/* test_arena.c — the region allocator (base/arena.h). */
#include "base/arena.h"

#include "base/mem.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

static void arena_teardown(void) { cv_mem_fail_after(-1); }

TestSuite(arena, .fini = arena_teardown);

Test(arena, allocations_are_16_byte_aligned)
{
	struct cv_arena a;

	cv_arena_init(&a, 0);
	for (size_t size = 1; size < 100; size += 7) {
		void *p = cv_arena_alloc(&a, size);
		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % 16, 0, "size %zu", size);
	}
	cr_assert_eq((uintptr_t)cv_arena_alloc(&a, 20000) % 16, 0);
	cr_assert_eq((uintptr_t)cv_arena_alloc(&a, 3) % 16, 0);
	cv_arena_release(&a);
}

Test(arena, allocations_do_not_overlap_across_blocks)
{
	struct cv_arena a;
	unsigned char *p[200];
	size_t size[200];

	cv_arena_init(&a, 256);
	for (int i = 0; i < 200; i++) {
		size[i] = (size_t)(i * 37 % 300) + 1; /* some bigger than a block */
		p[i] = cv_arena_alloc(&a, size[i]);
		cr_assert_not_null(p[i]);
		memset(p[i], i, size[i]);
	}
	for (int i = 0; i < 200; i++)
		for (size_t j = 0; j < size[i]; j++)
			cr_assert_eq(p[i][j], (unsigned char)i, "allocation %d byte %zu", i, j);
	cv_arena_release(&a);
}

Test(arena, allocation_bigger_than_a_block_gets_its_own_block)
{
	struct cv_arena a;
	char *small1, *big, *small2;

	cv_arena_init(&a, 64);
	small1 = cv_arena_alloc(&a, 16);
	big = cv_arena_alloc(&a, 100000);
	small2 = cv_arena_alloc(&a, 16);
	cr_assert_not_null(small1);
	cr_assert_not_null(big);
	cr_assert_not_null(small2);
	memset(small1, 'a', 16);
	memset(big, 'b', 100000);
	memset(small2, 'c', 16);
	cr_assert_eq(small1[15], 'a');
	cr_assert_eq(big[0], 'b');
	cr_assert_eq(big[99999], 'b');
	cr_assert_eq(small2[0], 'c');
	cv_arena_release(&a);
}

Test(arena, impossible_sizes_fail_instead_of_wrapping)
{
	struct cv_arena a;

	cv_arena_init(&a, 0);
	cr_assert_null(cv_arena_alloc(&a, SIZE_MAX));
	cr_assert_null(cv_arena_alloc(&a, SIZE_MAX - 15));
	cr_assert_null(cv_arena_alloc(&a, SIZE_MAX - 64));
	cr_assert_not_null(cv_arena_alloc(&a, 8), "arena still usable");
	cv_arena_release(&a);
}

Test(arena, strdup_and_strndup_copy_into_the_arena)
{
	struct cv_arena a;
	char src[] = "operator";
	char *d, *n;

	cv_arena_init(&a, 0);
	d = cv_arena_strdup(&a, src);
	n = cv_arena_strndup(&a, src, 4);
	src[0] = 'X';
	cr_assert_str_eq(d, "operator");
	cr_assert_str_eq(n, "oper");
	cr_assert_null(cv_arena_strdup(&a, NULL));
	cr_assert_null(cv_arena_strndup(&a, NULL, 3));
	cr_assert_str_eq(cv_arena_strdup(&a, ""), "");
	cv_arena_release(&a);
}

Test(arena, printf_formats_even_beyond_the_block_size)
{
	struct cv_arena a;
	char *s, *t;

	cv_arena_init(&a, 32);
	s = cv_arena_printf(&a, "%s-%d", "seq", 42);
	cr_assert_str_eq(s, "seq-42");
	t = cv_arena_printf(&a, "%300s|", "end");
	cr_assert_not_null(t);
	cr_assert_eq(strlen(t), 301);
	cr_assert_str_eq(t + 297, "end|");
	cr_assert_str_eq(s, "seq-42");
	cv_arena_release(&a);
}

Test(arena, failed_block_allocation_returns_null_and_arena_stays_usable)
{
	struct cv_arena a;
	char *first;

	cv_arena_init(&a, 64);
	first = cv_arena_strdup(&a, "kept");
	cr_assert_not_null(first);
	cv_mem_fail_after(0);
	cr_assert_null(cv_arena_alloc(&a, 1000));
	cr_assert_null(cv_arena_printf(&a, "%500s", "x"));
	cr_assert_null(
		cv_arena_strdup(&a, "a string longer than the space left in the block, surely"));
	cv_mem_fail_after(-1);
	cr_assert_str_eq(first, "kept");
	cr_assert_not_null(cv_arena_alloc(&a, 1000));
	cv_arena_release(&a);
}

Test(arena, released_arena_can_be_reused)
{
	struct cv_arena a;

	cv_arena_init(&a, 128);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 50; i++)
			cr_assert_not_null(cv_arena_printf(&a, "round %d item %d", round, i));
		cv_arena_release(&a);
		cr_assert_null(a.head);
	}
	cv_arena_release(&a); /* releasing an empty arena is harmless */
}
