#include "file.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/user_memory.h"

namespace {
constexpr usize BOUNCE = 4096;
}

Result<usize> File::read_to_user(AddressSpace& space, u64 buffer, usize count, u64 offset)
{
    u8 chunk[BOUNCE];
    usize done = 0;
    while (done < count) {
        usize want = min<usize>(BOUNCE, count - done);
        auto n = read(chunk, want, offset + done);
        if (n.is_error())
            return done ? Result<usize>(done) : Result<usize>(n.error());
        if (n.value() == 0)
            break;
        TRY(copy_to_user(space, buffer + done, chunk, n.value()));
        done += n.value();
        // A short read (end of file), or any data from a stream whose next read could block.
        if (n.value() < want || !is_seekable())
            break;
    }
    return done;
}

Result<usize> File::write_from_user(AddressSpace& space, u64 buffer, usize count, u64 offset)
{
    u8 chunk[BOUNCE];
    usize done = 0;
    while (done < count) {
        usize want = min<usize>(BOUNCE, count - done);
        auto copied = copy_from_user(space, chunk, buffer + done, want);
        if (copied.is_error())
            return done ? Result<usize>(done) : Result<usize>(copied.error());
        auto n = write(chunk, want, offset + done);
        if (n.is_error())
            return done ? Result<usize>(done) : Result<usize>(n.error());
        done += n.value();
        if (n.value() < want)
            break;
    }
    return done;
}
