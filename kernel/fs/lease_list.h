// Leases: fcntl(F_SETLEASE) on one file. A lease asks to be told before another process's
// open (or truncate) changes what its holder may assume: a read lease that nobody writes
// the file, a write lease that nobody else has it open at all. Such an open *breaks* the
// lease: the holder gets SIGIO and is given the break time (/proc/sys/fs/lease-break-time on
// Linux, 45 s) to write back what it cached and give the lease up; the opener waits meanwhile.
//
//   lease   breaker opens for   the lease must become   state while it waits
//   read    writing             none                    Unlock pending
//   write   writing             none                    Unlock pending
//   write   reading             read                    Downgrade pending
//
// When the holder does so itself (F_SETLEASE F_RDLCK or F_UNLCK), or the time runs out and
// the kernel does it for it, the opener goes on. Each open file description holds at most
// one lease. Pure logic, host-tested; the waiting is in file_lock.cpp.
#pragma once

#include "record_lock_list.h"

enum class LeaseBreak : u8 {
    None,
    Downgrade, // to a read lease
    Unlock, // gone
};

struct Lease {
    LockOwner owner; // the open file description
    LockType type { LockType::Read }; // Read or Write
    LeaseBreak pending { LeaseBreak::None };
    u64 break_deadline_ns { 0 }; // when a pending break is carried out anyway (0: never)
    u32 holder_pid { 0 }; // told with `notify` when the lease starts breaking
    void (*notify)(u32 pid) { nullptr };
    ListNode node;

    // What F_GETLEASE reports: the type the lease is becoming, if it is breaking.
    LockType reported_type() const;
    // Whether an open for writing (else for reading) must wait for this lease.
    bool blocks_opener(bool for_writing) const { return for_writing || type == LockType::Write; }
};

class LeaseList {
public:
    LeaseList() = default;
    LeaseList(LeaseList const&) = delete;
    ~LeaseList();

    bool is_empty() const { return m_leases.is_empty(); }
    Lease* find(LockOwner) const;
    // May `owner` take a lease of `type` (Read or Write) as far as the other leases go? (The
    // open files of the inode are the caller's to check.) Linux refuses a write lease beside
    // any other lease, and a new read lease while another is being unlocked.
    bool others_allow(LockOwner, LockType) const;
    // Records a new lease (the owner holds none); NoMemory if memory ran out.
    Result<Lease*> add(Lease const&);
    // The holder changes its lease to Read or Write: a pending downgrade is done with.
    void change(Lease&, LockType);
    void remove(Lease&);

    bool blocks_opener(bool for_writing) const;
    // An opener arrives: every lease it must wait for that is not already breaking for it
    // starts breaking, with `deadline_ns`; `visit` is called for each of those (to notify).
    template<typename Visit> void start_breaking(bool for_writing, u64 deadline_ns, Visit visit)
    {
        for (Lease& lease : m_leases) {
            if (!lease.blocks_opener(for_writing))
                continue;
            LeaseBreak wanted = for_writing ? LeaseBreak::Unlock : LeaseBreak::Downgrade;
            if (lease.pending == LeaseBreak::Unlock || lease.pending == wanted)
                continue;
            lease.pending = wanted;
            lease.break_deadline_ns = deadline_ns;
            visit(lease);
        }
    }
    // Carries out the breaks whose deadline has passed (Linux's time_out_leases); returns
    // whether any lease changed.
    bool time_out(u64 now_ns);
    // The earliest deadline of a pending break, or 0 if none has one.
    u64 next_deadline() const;

private:
    IntrusiveList<Lease, &Lease::node> m_leases;
};
