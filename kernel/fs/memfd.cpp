#include "memfd.h"
#include "file_seals.h"
#include "inode.h"
#include "kernel/lib/format.h"
#include "kernel/lib/memory.h"
#include "tmpfs.h"

namespace {

RefPtr<Inode> g_memfd_root; // the tmpfs every memfd file is made in, made on first use
u64 g_memfd_count = 0; // for a name no other file in it has

}

Result<RefPtr<OpenFile>> memfd_open(char const* name, Credentials const& who, MemfdSealing sealing)
{
    if (!g_memfd_root)
        g_memfd_root = TRY(tmpfs_create_root());
    // Made under a name of its own, opened, and unlinked at once: only the open file holds
    // it then, and it goes when the last descriptor and mapping let go.
    char entry[32];
    auto entry_length = static_cast<usize>(format(entry, sizeof entry, "%lu", ++g_memfd_count));
    Name entry_name { entry, entry_length };
    // Linux's modes, with and without MFD_NOEXEC_SEAL; owned by the caller's file-system ids.
    u32 permissions = sealing == MemfdSealing::NoExec ? 0666 : 0777;
    RefPtr<Inode> inode = TRY(g_memfd_root->create(entry_name, MODE_REGULAR | permissions, InodeOwner { who.fsuid, who.fsgid }));
    if (sealing != MemfdSealing::None)
        *inode->seal_word() = sealing == MemfdSealing::NoExec ? F_SEAL_EXEC : 0;
    auto file = inode->open(O_RDWR);
    MUST(g_memfd_root->unlink(entry_name));
    if (file.is_error())
        return file.error();

    constexpr int O_LARGEFILE = 0100000; // what Linux's F_GETFL reports of every 64-bit open
    auto* raw = new (std::nothrow) OpenFile(file.release_value(), O_RDWR | O_LARGEFILE);
    if (!raw)
        return Errno::NoMemory;
    RefPtr<OpenFile> open_file = adopt_ref(raw);
    // The path /proc shows (without the leading slash, as every OpenFile keeps it).
    constexpr char prefix[] = "memfd:", suffix[] = " (deleted)";
    usize name_length = min(strlen(name), MEMFD_NAME_MAX);
    usize length = sizeof prefix - 1 + name_length + sizeof suffix - 1;
    if (char* path = new (std::nothrow) char[length + 1]) {
        format(path, length + 1, "%s%.*s%s", prefix, static_cast<int>(name_length), name, suffix);
        open_file->set_path(path);
    }
    return open_file;
}
