/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd-replay: `ffwd replay` as a program of its own, for use before (or
 * without) the dispatch in app/main.c: ffwd-replay FILE --port ... is
 * ffwd replay FILE --port ...
 */
#include "replay.h"

int
main(int argc, char **argv)
{
	return replay_main(argc, argv);
}
