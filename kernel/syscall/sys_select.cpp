// select and pselect6: wait until a descriptor of three bit sets is ready (readiness_wait.h).
// The sets are what poll() reports, folded as Linux folds them:
//   readable  POLLIN  POLLRDNORM POLLRDBAND POLLHUP POLLERR
//   writable  POLLOUT POLLWRNORM POLLWRBAND         POLLERR
//   exception POLLPRI
// Each ready (descriptor, set) pair counts once in the result. A descriptor that is not open
// in any set is EBADF; `nfds` beyond the descriptor table is cut to it, as Linux cuts it to
// its table's size.
#include "handlers.h"
#include "kernel/fs/fd_table.h"
#include "kernel/lib/memory.h"
#include "kernel/lib/own_ptr.h"
#include "kernel/proc/signal.h"
#include "readiness_wait.h"
#include <new>

namespace {

constexpr u32 READABLE = POLL_IN | POLL_RDNORM | POLL_RDBAND | POLL_HUP | POLL_ERR;
constexpr u32 WRITABLE = POLL_OUT | POLL_WRNORM | POLL_WRBAND | POLL_ERR;
constexpr u32 EXCEPTION = POLL_PRI;

constexpr int WORD_BITS = 64;

usize words_for(int nfds) { return static_cast<usize>((nfds + WORD_BITS - 1) / WORD_BITS); }

// One of select's sets: the first `nfds` bits of a user fd_set, kept in words the caller
// owns (whole 64-bit words are read and written, as Linux does; bits at and above nfds
// read as 0 and are written as 0).
struct FdSet {
    u64* words { nullptr };
    bool has(int fd) const { return words[fd / WORD_BITS] & (u64(1) << (fd % WORD_BITS)); }
    void add(int fd) const { words[fd / WORD_BITS] |= u64(1) << (fd % WORD_BITS); }
};

Result<void> read_fd_set(FdSet set, UserAddress address, int nfds)
{
    if (!address)
        return {};
    TRY(copy_from_user(user_space(), set.words, address, words_for(nfds) * sizeof(u64)));
    if (nfds % WORD_BITS)
        set.words[nfds / WORD_BITS] &= (u64(1) << (nfds % WORD_BITS)) - 1;
    return {};
}

struct SelectSets {
    FdSet in, out, except;
};

// One pass: the result sets and the count of ready pairs.
i64 scan_select_sets(SelectSets const& asked, SelectSets const& ready, int nfds, WaitSet* watcher)
{
    FdTable& table = current_process().fds();
    for (FdSet set : { ready.in, ready.out, ready.except })
        memset(set.words, 0, words_for(nfds) * sizeof(u64));
    i64 count = 0;
    for (int fd = 0; fd < nfds; ++fd) {
        bool in = asked.in.has(fd), out = asked.out.has(fd), except = asked.except.has(fd);
        if (!in && !out && !except)
            continue;
        auto file = table.get(fd);
        if (file.is_error())
            continue; // checked before the first pass; closed since by another thread
        u32 events = file.value()->file().poll(watcher);
        i64 before = count;
        if (in && (events & READABLE)) {
            ready.in.add(fd);
            ++count;
        }
        if (out && (events & WRITABLE)) {
            ready.out.add(fd);
            ++count;
        }
        if (except && (events & EXCEPTION)) {
            ready.except.add(fd);
            ++count;
        }
        if (count > before)
            watcher = nullptr; // no sleep is coming: no more watches needed
    }
    return count;
}

// select's work once its time-out and signal mask are settled (Linux's core_sys_select):
// read the sets, check every descriptor in them is open, wait, write the sets back — not
// after a signal, which leaves them as they were. The six sets (three asked, three ready)
// share one allocation of the table's size at most.
Result<i64> select_fds(int nfds, UserAddress in, UserAddress out, UserAddress except, ReadinessTimeout const& timeout)
{
    if (nfds < 0)
        return Errno::Invalid;
    FdTable& table = current_process().fds();
    nfds = min(nfds, table.capacity());
    usize words = words_for(nfds);
    OwnArray<u64> storage(words ? new (std::nothrow) u64[6 * words]() : nullptr);
    if (words && !storage)
        return Errno::NoMemory;
    auto set_at = [&](usize index) { return FdSet { storage.ptr() + index * words }; };
    SelectSets asked { set_at(0), set_at(1), set_at(2) };
    SelectSets ready { set_at(3), set_at(4), set_at(5) };
    TRY(read_fd_set(asked.in, in, nfds));
    TRY(read_fd_set(asked.out, out, nfds));
    TRY(read_fd_set(asked.except, except, nfds));
    for (int fd = 0; fd < nfds; ++fd)
        if ((asked.in.has(fd) || asked.out.has(fd) || asked.except.has(fd)) && table.get(fd).is_error())
            return Errno::BadFd;
    i64 count = TRY(wait_until_ready(
        timeout, [&](WaitSet* watcher) -> Result<i64> { return scan_select_sets(asked, ready, nfds, watcher); }));
    for (auto [address, set] : { std::pair { in, ready.in }, std::pair { out, ready.out }, std::pair { except, ready.except } })
        if (address)
            TRY(copy_to_user(user_space(), address, set.words, words * sizeof(u64)));
    return count;
}

struct Timeval {
    i64 seconds;
    i64 microseconds;
};
struct Timespec {
    i64 seconds;
    i64 nanoseconds;
};

// The time left goes back to the caller's struct (not for a zero time-out). A fault there
// is ignored, as Linux ignores it — but an interrupted call then says EINTR outright.
template<typename Time>
Result<i64> finish_with_time_left(Result<i64> result, UserAddress user_time, ReadinessTimeout const& timeout)
{
    if (!user_time || timeout.is_zero())
        return result;
    u64 left = timeout.remaining_ns();
    Time remaining { static_cast<i64>(left / NANOSECONDS_PER_SECOND), static_cast<i64>(left % NANOSECONDS_PER_SECOND) };
    if constexpr (__is_same(Time, Timeval))
        remaining.microseconds /= 1000;
    if (write_user(user_time, remaining).is_error() && result.is_error() && result.error() == Errno::RestartNoHand)
        return Errno::Interrupted;
    return result;
}

}

Result<i64> sys_select(int nfds, UserAddress in, UserAddress out, UserAddress except, UserAddress user_timeout)
{
    ReadinessTimeout timeout = ReadinessTimeout::forever();
    if (user_timeout) {
        Timeval value = TRY(read_user<Timeval>(user_timeout));
        // Linux folds whole seconds of microseconds into the seconds before checking.
        timeout = TRY(
            ReadinessTimeout::from_seconds(value.seconds + value.microseconds / 1000000, (value.microseconds % 1000000) * 1000));
    }
    return finish_with_time_left<Timeval>(select_fds(nfds, in, out, except, timeout), user_timeout, timeout);
}

Result<i64> sys_pselect6(
    int nfds, UserAddress in, UserAddress out, UserAddress except, UserAddress user_timeout, UserAddress user_mask)
{
    // The sixth argument points to { const sigset_t* mask; size_t size; }.
    struct MaskArgument {
        u64 mask;
        u64 size;
    } mask_argument {};
    if (user_mask)
        mask_argument = TRY(read_user<MaskArgument>(user_mask));
    ReadinessTimeout timeout = ReadinessTimeout::forever();
    if (user_timeout) {
        Timespec value = TRY(read_user<Timespec>(user_timeout));
        timeout = TRY(ReadinessTimeout::from_seconds(value.seconds, value.nanoseconds));
    }
    bool masked = mask_argument.mask != 0;
    u64 old_mask = 0;
    if (masked) {
        if (mask_argument.size != sizeof(u64))
            return Errno::Invalid;
        old_mask = replace_signal_mask(TRY(read_user<u64>(mask_argument.mask)));
    }
    Result<i64> result = select_fds(nfds, in, out, except, timeout);
    if (masked) {
        bool interrupted = result.is_error() && result.error() == Errno::RestartNoHand;
        restore_signal_mask(old_mask, interrupted ? CallInterrupted::Yes : CallInterrupted::No);
    }
    return finish_with_time_left<Timespec>(static_cast<Result<i64>&&>(result), user_timeout, timeout);
}
