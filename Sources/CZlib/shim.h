#ifndef BACKFILL_CZLIB_SHIM_H
#define BACKFILL_CZLIB_SHIM_H

#include <zlib.h>

// zlib's init functions are macros (they pass ZLIB_VERSION and sizeof(z_stream)); Swift cannot
// call a function-like macro, so expose the one mode we use as a real function.

/// Initialises `stream` to inflate gzip or zlib data (windowBits 15 + 32: detect the header).
static inline int czlib_inflate_init_auto(z_streamp stream) {
    return inflateInit2(stream, 15 + 32);
}

/// Initialises `stream` to write gzip (windowBits 15 + 16), for the sandbox's day files.
static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

#endif
