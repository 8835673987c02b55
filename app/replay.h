/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay: "ffwd replay FILE --port DEVARGS ...": send a capture at a packet
 * rate, a bit rate, its own timing or top speed, looped, and report the
 * achieved rate and the departure-time error: a pipeline generated from
 * the command line (capture input -> paced output, replay.c) and run on
 * the runtime every command shares (run.c).
 */
#ifndef FFWD_REPLAY_H
#define FFWD_REPLAY_H

#define REPLAY_EXIT_OK		0
#define REPLAY_EXIT_RUNTIME	1	/**< EAL, port or memory failure */
#define REPLAY_EXIT_USAGE	2	/**< bad arguments or capture file */
/* 3 and 4 are the runtime's (run.h): packets or mbufs unaccounted for,
 * and the port failed to send some (oerrors). */

/**
 * The replay command. argv[0] is the command name ("replay"); the rest are
 * its options, EAL's after "--". Prints its report on stdout, errors on
 * stderr, and returns an exit status (REPLAY_EXIT_*). Starts and stops EAL
 * itself, so it may be called once per process.
 */
int replay_main(int argc, char **argv);

#endif /* FFWD_REPLAY_H */
