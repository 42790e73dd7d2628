#include "vfs.h"
#include "console.h"
#include "kernel/lib/memory.h"
#include "procfs.h"
#include "ramfs.h"

namespace {

class NullDevice final : public File {
public:
    Result<usize> read(u8*, usize, u64) override { return 0; }
    Result<usize> write(u8 const*, usize count, u64) override { return count; }
    void stat(LinuxStat& out) const override
    {
        out = {};
        out.st_mode = MODE_CHARACTER_DEVICE | 0666;
        out.st_rdev = (1 << 8) | 3;
        out.st_nlink = 1;
    }
    bool is_seekable() const override { return false; }
};

bool starts_with_component(char const* path, char const* prefix, char const** rest)
{
    usize n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0 || (path[n] != '/' && path[n] != '\0'))
        return false;
    *rest = path[n] == '/' ? path + n + 1 : path + n;
    return true;
}

}

Result<void> normalize_path(char const* cwd, char const* path, char* out, usize capacity)
{
    if (!path[0])
        return Errno::NoEntry;
    usize length = 0;
    // Pushes one component, or pops one for "..".
    auto add_component = [&](char const* start, usize n) -> Result<void> {
        if (n == 0 || (n == 1 && start[0] == '.'))
            return {};
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            while (length > 0 && out[length - 1] != '/')
                --length;
            if (length > 0)
                --length;
            return {};
        }
        if (length + (length ? 1 : 0) + n + 1 > capacity)
            return Errno::NameTooLong;
        if (length)
            out[length++] = '/';
        memcpy(out + length, start, n);
        length += n;
        return {};
    };
    auto add_path = [&](char const* p) -> Result<void> {
        while (*p) {
            char const* start = p;
            while (*p && *p != '/')
                ++p;
            TRY(add_component(start, p - start));
            while (*p == '/')
                ++p;
        }
        return {};
    };
    if (path[0] != '/')
        TRY(add_path(cwd));
    TRY(add_path(path));
    out[length] = '\0';
    return {};
}

Result<RefPtr<File>> vfs_open(char const* link_path, int flags)
{
    char path[PATH_MAX];
    usize length = strlen(link_path);
    if (length >= sizeof path)
        return Errno::NameTooLong;
    memcpy(path, link_path, length + 1);
    if (!(flags & O_NOFOLLOW))
        TRY(vfs_follow_links(path, sizeof path));
    char const* rest;
    if (starts_with_component(path, "proc", &rest) && rest[0])
        return procfs_open(rest);
    if (strcmp(path, "dev/null") == 0)
        return adopt_ref<File>(new NullDevice);
    if (strcmp(path, "dev/console") == 0 || strcmp(path, "dev/tty") == 0)
        return Console::the();

    RamFsNode const* node = ramfs_lookup(path);
    if (!node)
        return (flags & O_CREAT) ? Errno::ReadOnlyFs : Errno::NoEntry;
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return Errno::Exists;
    bool is_directory = (node->mode & MODE_TYPE_MASK) == MODE_DIRECTORY;
    if ((flags & O_DIRECTORY) && !is_directory)
        return Errno::NotDirectory;
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
        return is_directory ? Errno::IsDirectory : Errno::ReadOnlyFs;
    RefPtr<File> file = ramfs_open(*node);
    if (!file)
        return Errno::NoMemory;
    return file;
}

Result<void> vfs_follow_links(char* path, usize capacity)
{
    for (int links = 0; links < 40; ++links) {
        char target[PATH_MAX];
        auto length = vfs_readlink(path, target, sizeof target - 1);
        if (length.is_error())
            return {}; // not a link: done
        target[length.value()] = '\0';
        // A relative target is relative to the link's folder.
        char folder[PATH_MAX];
        usize n = strlen(path);
        while (n > 0 && path[n - 1] != '/')
            --n;
        memcpy(folder, path, n);
        folder[n] = '\0';
        TRY(normalize_path(folder, target, path, capacity));
    }
    return Errno::Loop;
}

Result<usize> vfs_readlink(char const* path, char* out, usize capacity)
{
    char const* rest;
    if (starts_with_component(path, "proc", &rest))
        return procfs_readlink(rest, out, capacity);
    RamFsNode const* node = ramfs_lookup(path);
    if (!node)
        return Errno::NoEntry;
    if ((node->mode & MODE_TYPE_MASK) != MODE_SYMLINK)
        return Errno::Invalid;
    usize n = min<u64>(node->size, capacity);
    memcpy(out, node->data, n);
    return n;
}
