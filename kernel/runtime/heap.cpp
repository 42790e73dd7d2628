#include "heap.h"
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

Block* g_free_list;
usize g_bytes_free;

}

void heap_initialize(u8* base, usize size)
{
    auto* block = reinterpret_cast<Block*>(base);
    block->size = size & ~(ALIGNMENT - 1);
    block->next_free = nullptr;
    block->is_free = true;
    block->magic = BLOCK_MAGIC;
    g_free_list = block;
    g_bytes_free = block->size;
}

void* heap_allocate(usize size)
{
    usize needed = (size + sizeof(Block) + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
    Block** link = &g_free_list;
    while (*link && (*link)->size < needed)
        link = &(*link)->next_free;
    Block* block = *link;
    if (!block)
        return nullptr;
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
    g_bytes_free -= block->size;
    return block + 1;
}

void heap_free(void* pointer)
{
    if (!pointer)
        return;
    Block* block = static_cast<Block*>(pointer) - 1;
    VERIFY(block->magic == BLOCK_MAGIC && !block->is_free);
    block->is_free = true;
    g_bytes_free += block->size;

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
    }
}

usize heap_bytes_free() { return g_bytes_free; }
