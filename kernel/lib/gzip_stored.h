// Bytes wrapped as a gzip stream (RFC 1952) whose deflate data (RFC 1951) is stored, not
// compressed: the shape /proc/config.gz needs so that zcat reads the text back, without a
// compressor in the kernel. Each stored block carries up to 65535 bytes.
#pragma once

#include "kernel/lib/types.h"

// The CRC-32 of `length` bytes (the IEEE polynomial, reflected, as gzip and zlib use it).
u32 crc32(u8 const* data, usize length);

// The size gzip_stored needs for `length` bytes of input.
usize gzip_stored_size(usize length);

// Writes `data` as a gzip stream into `out` and returns its size, or 0 (nothing written)
// when `capacity` is smaller than gzip_stored_size(length).
usize gzip_stored(u8 const* data, usize length, u8* out, usize capacity);
