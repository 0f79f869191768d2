#ifndef BACKFILL_CISAL_SHIM_H
#define BACKFILL_CISAL_SHIM_H

// Intel ISA-L's igzip: a streaming inflate about 2.5x faster than zlib on this machine (Debian
// package libisal-dev). Used for flat files, whose decompression is the bottleneck of decoding.
#include <isa-l.h>

/// Starts (or restarts, for the next member) a gzip inflate with header parsing and CRC-32 check.
static inline void cisal_inflate_start_gzip(struct inflate_state *state) {
    isal_inflate_init(state);
    state->crc_flag = ISAL_GZIP;
}

/// 1 when the current gzip member has been inflated completely (trailer checked).
static inline int cisal_member_finished(const struct inflate_state *state) {
    return state->block_state == ISAL_BLOCK_FINISH;
}

#endif
