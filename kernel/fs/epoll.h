// epoll: an instance is a file holding registrations — descriptors and the events wanted of
// each — and epoll_wait() asks them all, the way poll() asks its array, but the set lives in
// the kernel between calls (Linux's eventpoll).
//
//   EpollInstance ──items──▶ EpollItem ──file──▶ OpenFile (of the registered descriptor)
//                              │ watches: a WaitSet on the file's wait queues, kept as long
//                              │ as the item lives; each wake marks the item and wakes the
//                              ▼ instance's activity queue, where epoll_wait sleeps
//
// Level-triggered items are reported whenever they are ready. Edge-triggered ones (EPOLLET)
// only after a wake-up of their file's queues since the last report (and once at the start,
// as Linux checks readiness when an item is added or changed): a program that reads until
// EAGAIN then waits misses nothing, and a spurious report is no more than Linux may give.
// EPOLLONESHOT disables the item after one report until EPOLL_CTL_MOD. EPOLLEXCLUSIVE makes
// the item's watches exclusive: a wake of the file reaches only the first such item whose
// instance has a waiter (several processes waiting on one pipe: one is woken per event).
// EPOLLWAKEUP is accepted and means nothing: Pagoda never suspends.
//
// A registration names a descriptor's open file description, not the number: it ends when
// the description is released (the last descriptor of it closed, in every process), through
// OpenFile::epoll_items. A file whose readiness cannot change (regular files, directories)
// cannot be registered (EPERM), as on Linux.
#pragma once

#include "file.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/sched/wait_set.h"

// struct epoll_event of x86_64: packed, 12 bytes.
struct [[gnu::packed]] EpollEvent {
    u32 events;
    u64 data;
};
static_assert(sizeof(EpollEvent) == 12);

constexpr u32 EPOLL_EXCLUSIVE = 1u << 28, EPOLL_WAKEUP = 1u << 29, EPOLL_ONESHOT = 1u << 30, EPOLL_ET = 1u << 31;
constexpr int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
// Linux's EP_MAX_NESTS: instances may be registered in one another five deep (a chain of
// four registrations between them), no deeper and never in a loop (ELOOP). Pagoda checks
// the depth below the instance added to, not above it.
constexpr int EPOLL_MAX_NESTING = 4;

class EpollInstance;

struct EpollItem {
    EpollInstance* instance;
    int fd;
    OpenFile* file; // not a reference: the item goes when the description does
    u32 events; // asked for, with EPOLLET/EPOLLONESHOT; 0 after a one-shot report
    u64 data;
    bool woken { true }; // for EPOLLET: a wake-up not reported yet
    WaitSet watches;
    ListNode instance_node;
    EpollItem* next_of_file { nullptr };
    EpollItem* prev_of_file { nullptr };
};

class EpollInstance final : public File {
public:
    static Result<RefPtr<File>> create();
    ~EpollInstance() override;
    void stat(LinuxStat&) const override;
    bool is_seekable() const override { return false; }
    // Readable while an item would be reported (an instance inside another, or polled).
    u32 poll(WaitSet* waiter) override;
    bool is_pollable() const override { return true; }
    EpollInstance* epoll() override { return this; }

    // epoll_ctl on descriptor `fd` (`file` is what it refers to now). Errors as Linux's:
    // Exists, NoEntry, NotPermitted (a file that cannot be polled), Loop (an instance
    // inside itself or nested too deep), Invalid, NoMemory.
    Result<void> control(int op, int fd, OpenFile& file, EpollEvent const& event);
    // One pass: up to `capacity` ready items into `out` (how many); with a watcher, also
    // watches the activity queue so the caller can sleep until something changes.
    usize collect(EpollEvent* out, usize capacity, WaitSet* watcher);

private:
    EpollInstance() = default;
    EpollItem* find(int fd, OpenFile const& file);
    void remove(EpollItem&);
    // The events `item` would report now (0: none), consuming an edge-triggered wake-up or
    // a one-shot only if `report`.
    u32 ready_events(EpollItem&, bool report);
    // Whether registering `inner` here would close a loop or nest deeper than Linux allows.
    bool would_loop(EpollInstance& inner, int depth) const;

    IntrusiveList<EpollItem, &EpollItem::instance_node> m_items;
    usize m_count { 0 };
    WaitQueue m_activity; // woken by every item's watches
    friend void release_epoll_items(OpenFile&);
};

// Ends every registration of `file` (from ~OpenFile).
void release_epoll_items(OpenFile& file);
