/* SPDX-License-Identifier: BSD-3-Clause */
/* `ffwd attach`: serve an external stage from a secondary process. */
#ifndef FFWD_ATTACH_H
#define FFWD_ATTACH_H

/** argv[0] is "attach". @return the exit status. */
int attach_main(int argc, char **argv);

#endif /* FFWD_ATTACH_H */
