// capget/capset — POSIX capabilities as Pagoda has them: not kept apart from the ids. Root
// (effective uid 0) holds every capability and anyone else none, which is what Linux's
// capability sets are after set*id calls under its default rules: effective full while the
// effective uid is 0, permitted full while any of real, effective and saved uid is 0
// (capabilities(7), "Effect of user ID changes on capabilities"). capset may only keep
// the sets as they are: a root that drops capabilities would need sets of its own.
#include "handlers.h"
#include "kernel/lib/log.h"

namespace {

constexpr u32 VERSION_1 = 0x19980330, VERSION_2 = 0x20071026, VERSION_3 = 0x20080522;
constexpr u32 LAST_CAPABILITY = 40; // CAP_CHECKPOINT_RESTORE, Linux 6.1's last

struct CapabilityHeader {
    u32 version;
    i32 pid;
};
struct CapabilityData {
    u32 effective, permitted, inheritable;
};

// The sets of `who` as Linux's two 32-bit words each.
void sets_of(Credentials const& who, CapabilityData out[2])
{
    u64 full = (u64(1) << (LAST_CAPABILITY + 1)) - 1;
    u64 effective = who.euid == 0 ? full : 0;
    u64 permitted = who.uid == 0 || who.euid == 0 || who.suid == 0 ? full : 0;
    for (int word = 0; word < 2; ++word)
        out[word] = { static_cast<u32>(effective >> (32 * word)), static_cast<u32>(permitted >> (32 * word)), 0 };
}

// How many data words the header's version uses; Invalid (with the preferred version
// written back, as Linux's cap_validate_magic does) for an unknown one.
Result<int> words_of(UserAddress header_address, CapabilityHeader& header)
{
    header = TRY(read_user<CapabilityHeader>(header_address));
    if (header.version == VERSION_1)
        return 1;
    if (header.version == VERSION_2 || header.version == VERSION_3)
        return 2;
    header.version = VERSION_3;
    TRY(write_user(header_address, header));
    return Errno::Invalid;
}

}

Result<i64> sys_capget(UserAddress header_address, UserAddress data)
{
    CapabilityHeader header;
    auto words = words_of(header_address, header);
    if (words.is_error())
        return !data && words.error() == Errno::Invalid ? Result<i64>(0) : Result<i64>(words.error());
    if (!data)
        return 0;
    if (header.pid < 0)
        return Errno::Invalid;
    Process* target = header.pid == 0 ? &current_process() : find_process(static_cast<u32>(header.pid));
    if (!target)
        return Errno::NoProcess;
    CapabilityData sets[2];
    sets_of(target->credentials, sets);
    TRY(copy_to_user(user_space(), data, sets, words.value() * sizeof(CapabilityData)));
    return 0;
}

Result<i64> sys_capset(UserAddress header_address, UserAddress data)
{
    CapabilityHeader header;
    int words = TRY(words_of(header_address, header));
    if (header.pid != 0 && header.pid != static_cast<i32>(current_process().pid()))
        return Errno::NotPermitted; // another process's sets: never, as since Linux 2.6.24
    CapabilityData wanted[2] = {}, now[2];
    TRY(copy_from_user(user_space(), wanted, data, words * sizeof(CapabilityData)));
    sets_of(caller_credentials(), now);
    if (words == 1)
        wanted[1] = now[1];
    for (int word = 0; word < 2; ++word) {
        if ((wanted[word].permitted & ~now[word].permitted) || (wanted[word].effective & ~wanted[word].permitted))
            return Errno::NotPermitted; // adding a capability, as on Linux
    }
    for (int word = 0; word < 2; ++word) {
        if (wanted[word].effective != now[word].effective || wanted[word].permitted != now[word].permitted
            || wanted[word].inheritable != 0) {
            klog("pid %u: capset refused: capabilities are not kept apart from uid 0 (EPERM)", current_process().pid());
            return Errno::NotPermitted;
        }
    }
    return 0;
}
