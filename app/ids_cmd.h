/* SPDX-License-Identifier: BSD-3-Clause */
/* `ffwd ids`: Suricata's offline mode as a generated pipeline (ids_cmd.c). */
#ifndef FFWD_IDS_CMD_H
#define FFWD_IDS_CMD_H

/**
 * Parse `ffwd ids ARGS` (argv[0] is "ids"), write the pipeline to
 * DIR/ffwd-ids.yaml and give back the arguments that run it.
 * @return -1: run *out_argc / *out_argv as a normal ffwd command line;
 *   otherwise the exit status (0 after --help, 2 on a bad command line).
 */
int ids_cmd_args(int argc, char **argv, int *out_argc, char ***out_argv);

#endif
