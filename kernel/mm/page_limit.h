// PageLimit: the most pages a group of page caches may hold together — the size of one tmpfs
// instance (Linux's `size=`, shmem's max_blocks). tmpfs pages are the only copy of their
// data: nothing can evict them, so without a limit one file could fill memory and leave the
// machine thrashing on what is left. A cache given a limit charges each page as it enters
// (NoSpace when the group is full: write() gets ENOSPC, a fault SIGBUS, as on Linux) and
// uncharges it when it leaves. A cache may outlive its inode (still mapped), so caches hold
// the limit by reference and their pages stay charged until they go.
//
// Locking: the VM lock, like the caches that charge it.
#pragma once

#include "../lib/ref_counted.h"
#include "../lib/result.h"
#include "../lib/types.h"

class PageLimit : public RefCounted<PageLimit> {
public:
    static Result<RefPtr<PageLimit>> create(u64 max_pages);

    u64 max_pages() const { return m_max_pages; }
    u64 used_pages() const { return m_used_pages; }
    u64 free_pages() const { return m_max_pages - m_used_pages; }

    // One more page for the group; NoSpace if it is full.
    Result<void> charge()
    {
        if (m_used_pages >= m_max_pages)
            return Errno::NoSpace;
        ++m_used_pages;
        return {};
    }
    void uncharge();

private:
    friend class RefCounted<PageLimit>;
    explicit PageLimit(u64 max_pages) : m_max_pages(max_pages) { }
    ~PageLimit() = default;

    u64 m_max_pages;
    u64 m_used_pages { 0 };
};
