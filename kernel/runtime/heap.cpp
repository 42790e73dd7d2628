#include "heap.h"
#include "kernel/arch/x86_64/kernel_memory.h"
#include "kernel/lib/assert.h"

namespace {

// Every block starts with this header; free blocks are kept on an address-ordered list so
// that freeing can merge a block with its neighbours.
struct Block {
    usize size; // including the header
    Block* next_free;
    bool is_free;
    u64 magic;
};
static_assert(sizeof(Block) == 32);

constexpr u64 BLOCK_MAGIC = 0x9A60DA4EA9B10C55;
constexpr usize ALIGNMENT = 16;
constexpr usize MIN_SPLIT = sizeof(Block) + 32;

constexpr usize GROWTH = 256 * KiB; // the least the heap grows by at a time, frames allowing
// A free run at the heap's end larger than this goes back to the frame allocator, all but
// GROWTH of it (so that a heap which shrinks and grows around one size does not churn).
constexpr usize TRIM_THRESHOLD = 1 * MiB;

Block* g_free_list;
u8* g_end; // the heap is [KERNEL_HEAP_AREA, g_end)
usize g_bytes_used;
usize g_blocks_used;

// Puts a used block on the address-ordered free list, merged with free neighbours; returns
// the free block that now holds it.
Block* release(Block* block)
{
    VERIFY(block->magic == BLOCK_MAGIC && !block->is_free);
    block->is_free = true;
    g_bytes_used -= block->size;

    Block* previous = nullptr;
    Block* next = g_free_list;
    while (next && next < block) {
        previous = next;
        next = next->next_free;
    }
    block->next_free = next;
    if (previous)
        previous->next_free = block;
    else
        g_free_list = block;

    auto end_of = [](Block* b) { return reinterpret_cast<u8*>(b) + b->size; };
    if (next && end_of(block) == reinterpret_cast<u8*>(next)) {
        block->size += next->size;
        block->next_free = next->next_free;
        next->magic = 0;
    }
    if (previous && end_of(previous) == reinterpret_cast<u8*>(block)) {
        previous->size += block->size;
        previous->next_free = block->next_free;
        block->magic = 0;
        block = previous;
    }
    return block;
}

// Maps at least `bytes` more at the end of the heap and frees them into the list: GROWTH if
// the frames are there, else just what is needed (memory is nearly full; the reserve of the
// frame allocator is for exactly this).
bool grow(usize bytes)
{
    u64 start = reinterpret_cast<u64>(g_end);
    usize amount = page_round_up(max(bytes, GROWTH));
    if (start + amount > KERNEL_HEAP_AREA + KERNEL_HEAP_MAX)
        return false;
    if (map_kernel_pages(start, start + amount).is_error()) {
        amount = page_round_up(bytes);
        if (map_kernel_pages(start, start + amount).is_error())
            return false;
    }
    auto* block = reinterpret_cast<Block*>(g_end);
    block->size = amount;
    block->is_free = false;
    block->magic = BLOCK_MAGIC;
    g_end += amount;
    g_bytes_used += amount; // release() below gives it back
    release(block);
    return true;
}

// `block` is free and the last block of the heap: gives the frames of a large free tail back
// (unmapping never allocates, so neither does heap_free).
void trim_tail(Block* block)
{
    u8* block_start = reinterpret_cast<u8*>(block);
    if (block_start + block->size != g_end || block->size < TRIM_THRESHOLD)
        return;
    u8* new_end = reinterpret_cast<u8*>(page_round_up(reinterpret_cast<u64>(block_start + GROWTH)));
    unmap_kernel_pages(reinterpret_cast<u64>(new_end), reinterpret_cast<u64>(g_end));
    block->size = new_end - block_start;
    g_end = new_end;
}

Block* find_fit(usize needed, Block**& link)
{
    link = &g_free_list;
    while (*link && (*link)->size < needed)
        link = &(*link)->next_free;
    return *link;
}

}

void heap_initialize()
{
    g_end = reinterpret_cast<u8*>(KERNEL_HEAP_AREA);
    if (!grow(GROWTH))
        PANIC("heap_initialize: no frames for the kernel heap");
}

void* heap_allocate(usize size)
{
    if (size > KERNEL_HEAP_MAX)
        return nullptr;
    usize needed = (size + sizeof(Block) + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
    Block** link;
    Block* block = find_fit(needed, link);
    if (!block) {
        // The last free block may end at the heap's end: growing extends it.
        if (!grow(needed))
            return nullptr;
        block = find_fit(needed, link);
        VERIFY(block);
    }
    if (block->size - needed >= MIN_SPLIT) {
        auto* rest = reinterpret_cast<Block*>(reinterpret_cast<u8*>(block) + needed);
        rest->size = block->size - needed;
        rest->next_free = block->next_free;
        rest->is_free = true;
        rest->magic = BLOCK_MAGIC;
        block->size = needed;
        *link = rest;
    } else {
        *link = block->next_free;
    }
    block->is_free = false;
    block->next_free = nullptr;
    g_bytes_used += block->size;
    ++g_blocks_used;
    return block + 1;
}

void heap_free(void* pointer)
{
    if (!pointer)
        return;
    Block* block = release(static_cast<Block*>(pointer) - 1);
    --g_blocks_used;
    if (!block->next_free)
        trim_tail(block);
}

usize heap_bytes_mapped() { return g_end - reinterpret_cast<u8*>(KERNEL_HEAP_AREA); }
usize heap_bytes_used() { return g_bytes_used; }
usize heap_blocks_used() { return g_blocks_used; }
