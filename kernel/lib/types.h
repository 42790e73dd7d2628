// Fixed-width integer names used throughout the kernel. Builds freestanding and hosted.
#pragma once

#include <cstddef>
#include <cstdint>

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using usize = size_t;
using isize = ptrdiff_t;
using uptr = uintptr_t;

constexpr u64 KiB = 1024;
constexpr u64 MiB = 1024 * KiB;
constexpr u64 GiB = 1024 * MiB;

constexpr u64 PAGE_SIZE = 4096;
constexpr u64 PAGE_SHIFT = 12;

constexpr u64 page_round_down(u64 x) { return x & ~(PAGE_SIZE - 1); }
constexpr u64 page_round_up(u64 x) { return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
constexpr bool is_page_aligned(u64 x) { return (x & (PAGE_SIZE - 1)) == 0; }

template<typename T> constexpr T min(T a, T b) { return a < b ? a : b; }
template<typename T> constexpr T max(T a, T b) { return a > b ? a : b; }
