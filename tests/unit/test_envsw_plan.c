/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../envswitch/plan.h"

static void test_login_loads_everything(void **state)
{
	(void)state;
	struct envsw_want w[] = {{"compiler", "compiler/gcc-12"}, {"mpi", "mpi/openmpi-4.1"}, {"gpu", NULL}};
	struct envsw_plan p;
	envsw_plan_make(&p, w, 3, NULL, NULL);
	assert_int_equal(p.n_unload, 0);
	assert_int_equal(p.n_load, 2);
	assert_string_equal(p.load[0], "compiler/gcc-12");
	assert_string_equal(p.load[1], "mpi/openmpi-4.1");
	assert_string_equal(p.record, "compiler=compiler/gcc-12 mpi=mpi/openmpi-4.1");
	envsw_plan_free(&p);
}

static void test_swap_old_for_new(void **state)
{
	(void)state;
	struct envsw_want w[] = {{"compiler", "compiler/gcc-12"}, {"mpi", "mpi/openmpi-4.1"}};
	struct envsw_plan p;
	envsw_plan_make(&p, w, 2, "compiler=compiler/gcc-12 mpi=mpi/mpich-4.0", "compiler/gcc-12:mpi/mpich-4.0");
	assert_int_equal(p.n_unload, 1);
	assert_string_equal(p.unload[0], "mpi/mpich-4.0");
	assert_int_equal(p.n_load, 1);
	assert_string_equal(p.load[0], "mpi/openmpi-4.1");
	envsw_plan_free(&p);
}

static void test_loaded_by_hand_and_versions(void **state)
{
	(void)state;
	/* no record: a hand-loaded mpi/mpich goes; "gcc" counts as loaded through gcc/12 */
	struct envsw_want w[] = {{"mpi", "mpi/openmpi-4.1"}, {"compiler", "gcc"}};
	struct envsw_plan p;
	envsw_plan_make(&p, w, 2, NULL, "gcc/12:mpi/mpich-4.0:mpi-tools/1");
	assert_int_equal(p.n_unload, 1);
	assert_string_equal(p.unload[0], "mpi/mpich-4.0");
	assert_int_equal(p.n_load, 1);
	assert_string_equal(p.load[0], "mpi/openmpi-4.1");
	assert_string_equal(p.record, "mpi=mpi/openmpi-4.1 compiler=gcc");
	envsw_plan_free(&p);
}

static void test_none_and_dropped_tags(void **state)
{
	(void)state;
	/* mpi set to none, gpu no longer chosen at all, old record names an unloaded module */
	struct envsw_want w[] = {{"mpi", NULL}, {"compiler", "compiler/gcc-12"}};
	struct envsw_plan p;
	envsw_plan_make(&p, w, 2, "mpi=mpi/mpich-4.0 gpu=cuda/12 tools=tools/1", "mpi/mpich-4.0:cuda/12:compiler/gcc-12");
	assert_int_equal(p.n_unload, 2);
	assert_string_equal(p.unload[0], "mpi/mpich-4.0");
	assert_string_equal(p.unload[1], "cuda/12");
	assert_int_equal(p.n_load, 0);
	assert_string_equal(p.record, "compiler=compiler/gcc-12");
	envsw_plan_free(&p);
	envsw_plan_make(&p, w, 0, NULL, NULL);
	assert_string_equal(p.record, "");
	envsw_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_loads_everything),
		cmocka_unit_test(test_swap_old_for_new),
		cmocka_unit_test(test_loaded_by_hand_and_versions),
		cmocka_unit_test(test_none_and_dropped_tags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
