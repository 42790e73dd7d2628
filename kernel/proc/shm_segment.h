// System V shared memory (shmget, shmat, shmdt, shmctl): named segments of shared memory
// that processes attach by id, as Linux's ipc/shm.c keeps them. Pure bookkeeping over the
// VM (no user memory, no sleeping), host-tested; kernel/syscall/sys_shm.cpp decodes the
// calls and maps the segments.
//
//   ShmRegistry ── slot index ──▶ ShmSegment ──RefPtr──▶ PageCache (nameless, non-backed:
//     keys, ids, limits          id, key, owner,            the segment's pages, the same
//     (shmmax, shmall, shmmni)   mode, times, pids,         frames in every attacher)
//                                nattch  ◀── MappingObserver ── every Mapping of the cache
//
// A segment is a shared mapping of a page cache of its own, the cache of shared anonymous
// memory (PageCache::create_anonymous): shmat maps it MAP_SHARED, fork copies the mapping,
// exit and exec drop it — the VM does all of that already. The segment only watches its
// cache's mappings come and go (mapping.h's MappingObserver): shm_nattch is their number,
// as on Linux, where each VMA of a segment counts (a split by mprotect counts twice).
//
// Ids are Linux's: slot index + sequence number * 32768, the sequence counting segments made
// (so a removed id does not come back at once); SHM_STAT takes a slot index. IPC_RMID of a
// segment still attached marks it (SHM_DEST), makes its key IPC_PRIVATE, and the segment
// goes when its last mapping does — with its pages, since the mappings held the last
// references to the cache.
//
// Locking: everything runs under the VM lock (the kernel lock), as the mappings do.
#pragma once

#include "kernel/lib/credentials.h"
#include "kernel/lib/function_ref.h"
#include "kernel/lib/result.h"
#include "kernel/mm/page_cache.h"

constexpr i32 IPC_PRIVATE = 0;
constexpr u32 IPC_CREAT = 01000, IPC_EXCL = 02000;
constexpr u32 SHM_HUGETLB = 04000, SHM_NORESERVE = 010000;
// Mode bits beside the permissions: marked for removal, locked (SHM_LOCK).
constexpr u32 SHM_DEST = 01000, SHM_LOCKED = 02000;
constexpr u32 IPC_MODE_BITS = 0777;

// Linux's defaults and fixed limits (include/uapi/linux/shm.h, ipc.h).
constexpr u64 SHM_MIN_SIZE = 1; // SHMMIN
constexpr u64 SHM_DEFAULT_MAX = ~u64(0) - (u64(1) << 24); // SHMMAX and SHMALL
constexpr u64 SHM_DEFAULT_MNI = 4096; // SHMMNI
constexpr u32 IPC_MNI = 32768; // slots; an id's low 15 bits
constexpr u32 IPC_ID_SEQ_MAX = 0x7fffffff >> 15;

// Linux's kern_ipc_perm: who owns a segment and may do what.
struct IpcPermission {
    i32 key { IPC_PRIVATE };
    u32 uid { 0 }, gid { 0 }; // owner (IPC_SET changes them)
    u32 cuid { 0 }, cgid { 0 }; // creator
    u32 mode { 0 }; // 0777 bits, SHM_DEST, SHM_LOCKED
    u16 seq { 0 };
};

// Linux's ipcperms: whether `who` may have `requested` (rwx bits of any class: 0400, 0200,
// 0444, ...) of an object with `perm`. The owner's or creator's bits for its euid, the
// group's for its groups, else the others'; CAP_IPC_OWNER (euid 0) may do anything.
bool ipc_permits(IpcPermission const& perm, Credentials const& who, u32 requested);

class ShmRegistry;

class ShmSegment final : public MappingObserver {
public:
    i32 id() const { return m_id; }
    IpcPermission& permission() { return m_permission; }
    IpcPermission const& permission() const { return m_permission; }
    u64 size() const { return m_size; } // as asked; mappings round it up to pages
    u64 page_count() const { return page_round_up(m_size) / PAGE_SIZE; }
    RefPtr<PageCache> const& cache() const { return m_cache; }
    u64 attach_count() const { return m_attach_count; }
    bool is_marked_for_removal() const { return m_permission.mode & SHM_DEST; }
    // The name /proc/<pid>/maps shows for its mappings: "/SYSV<key in hex> (deleted)".
    char const* mapping_name() const { return m_name; }

    i64 attach_time { 0 }, detach_time { 0 }, change_time { 0 };
    u32 creator_pid { 0 }, last_pid { 0 };
    u32 lock_uid { 0 }; // whose RLIMIT_MEMLOCK a SHM_LOCK counts against

    void mapping_opened(Mapping const&) override;
    void mapping_closed(Mapping const&) override;

private:
    friend class ShmRegistry;
    ShmSegment(ShmRegistry& registry, RefPtr<PageCache> cache, u64 size) : m_registry(registry), m_cache(cache), m_size(size) { }
    ~ShmSegment();

    ShmRegistry& m_registry;
    RefPtr<PageCache> m_cache;
    u64 m_size;
    i32 m_id { -1 };
    u32 m_index { 0 };
    IpcPermission m_permission;
    u64 m_attach_count { 0 };
    char m_name[32];
};

class ShmRegistry {
public:
    // What the registry asks of the kernel: the time (seconds since the epoch) and the
    // process that makes the current call (for shm_cpid and shm_lpid).
    struct Environment {
        i64 (*now)();
        u32 (*current_pid)();
    };
    // The tunables of /proc/sys/kernel: shmmax (bytes), shmall (pages), shmmni (segments),
    // and shm_next_id: the id the next segment made should get (-1: none), used once. Linux
    // gives it if its slot is free, else the next free slot above with its sequence number.
    struct Limits {
        u64 max_size { SHM_DEFAULT_MAX };
        u64 max_pages { SHM_DEFAULT_MAX };
        u64 max_segments { SHM_DEFAULT_MNI };
        i32 next_id { -1 };
    };

    ShmRegistry(MemoryContext& context, Environment environment) : m_context(context), m_environment(environment) { }
    ~ShmRegistry();
    ShmRegistry(ShmRegistry const&) = delete;
    ShmRegistry& operator=(ShmRegistry const&) = delete;

    // shmget: the id of the segment with `key`, made if need be, with Linux's errors in its
    // order: ENOENT (no such key, no IPC_CREAT), EEXIST (IPC_CREAT|IPC_EXCL), EINVAL (an
    // existing segment smaller than `size`), EACCES (its mode refuses `flags`' 0777 bits);
    // for a new one EINVAL (size below SHMMIN or above shmmax), ENOSPC (shmall pages or
    // shmmni segments used up), ENOMEM (more than all of memory, unless SHM_NORESERVE).
    Result<i32> get(i32 key, u64 size, u32 flags, Credentials const& who);

    // The segment with full id `id`: EINVAL if none (wrong slot or sequence number).
    Result<ShmSegment*> find(i32 id);
    // The segment in slot `index` (SHM_STAT), whatever its sequence number: EINVAL if none.
    Result<ShmSegment*> at_index(i32 index);

    // The segment whose pages `cache` holds, or null (shmdt: which mappings are segments).
    ShmSegment* segment_of(PageCache const* cache);

    // shmat keeps the segment from going while it maps it (mapping may sleep, and an
    // IPC_RMID may come meanwhile): Linux's shm_nattch++ around do_mmap. release() may
    // destroy the segment.
    void hold(ShmSegment& segment) { ++segment.m_attach_count; }
    void release(ShmSegment& segment);

    // IPC_RMID: the segment goes now if nothing maps it, else when its last mapping goes;
    // its key is IPC_PRIVATE from now on either way.
    void remove(ShmSegment& segment);

    Limits& limits() { return m_limits; }
    u64 segments_in_use() const { return m_in_use; }
    u64 total_pages() const { return m_total_pages; } // SHM_INFO's shm_tot
    u64 resident_pages() const; // SHM_INFO's shm_rss: pages the caches hold
    // IPC_INFO's and SHM_INFO's result: the highest slot in use, 0 if none (Linux).
    u32 highest_index() const;
    // Every segment in slot order (/proc/sysvipc/shm).
    void for_each(FunctionRef<void(ShmSegment&)> visit);

private:
    friend class ShmSegment;
    ShmSegment* find_key(i32 key);
    Result<i32> create(i32 key, u64 size, u32 flags, Credentials const& who);
    // The lowest free slot from `from` on: below shmmni, or below IPC_MNI for an id asked
    // for through shm_next_id (Linux lets that one lie past shmmni). ENOSPC, ENOMEM.
    Result<u32> free_slot(u32 from, bool asked_for);
    // The segment goes: slot, pages, key.
    void destroy(ShmSegment& segment);
    void destroy_if_unused(ShmSegment& segment);

    MemoryContext& m_context;
    Environment m_environment;
    Limits m_limits;
    ShmSegment** m_slots { nullptr }; // m_capacity entries, grown as slots are needed
    u32 m_capacity { 0 };
    u64 m_in_use { 0 };
    u64 m_total_pages { 0 };
    u32 m_next_seq { 0 };
};

// The machine's segments (one IPC namespace), made on first use (kernel/proc/kernel_shm.cpp).
ShmRegistry& kernel_shm_registry();
