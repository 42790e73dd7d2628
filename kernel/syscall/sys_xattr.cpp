// Extended attributes (getxattr and its eleven siblings): Pagoda's file systems keep none,
// so they answer as Linux does for a file system without xattr support — after the file
// is found as usual (ENOENT, ENOTDIR, EBADF...): reading, setting or removing an attribute
// is EOPNOTSUPP (logged once), and the list of a file's attributes is empty. ls -l asks for
// ACLs this way and says nothing when the answer is "not supported".
#include "handlers.h"
#include "kernel/lib/log.h"

namespace {

constexpr usize XATTR_NAME_MAX = 255;

// The file a path call names (following a last link unless `follow` says not).
Result<void> find_path(UserAddress path, FollowLastLink follow)
{
    TRY(read_user_inode_at(AT_FDCWD, path, 0, follow));
    return {};
}

Result<void> find_fd(int fd)
{
    TRY(current_process().fds().get(fd));
    return {};
}

// Linux checks the name before it looks at the file system: ERANGE for an empty or
// too long name.
Result<void> check_name(UserAddress name)
{
    char text[XATTR_NAME_MAX + 1];
    auto length = copy_string_from_user(user_space(), text, name, sizeof text);
    if (length.is_error())
        return length.error() == Errno::NameTooLong ? Errno::Range : length.error();
    if (length.value() == 0)
        return Errno::Range;
    return {};
}

Result<i64> not_supported(char const* call)
{
    KLOG_ONCE("pid %u: %s refused: the file systems keep no extended attributes (EOPNOTSUPP)", current_process().pid(), call);
    return Errno::NotSupported;
}

}

Result<i64> sys_getxattr(UserAddress path, UserAddress name, UserAddress, u64)
{
    TRY(check_name(name));
    TRY(find_path(path, FollowLastLink::Yes));
    return not_supported("getxattr");
}
Result<i64> sys_lgetxattr(UserAddress path, UserAddress name, UserAddress, u64)
{
    TRY(check_name(name));
    TRY(find_path(path, FollowLastLink::No));
    return not_supported("lgetxattr");
}
Result<i64> sys_fgetxattr(int fd, UserAddress name, UserAddress, u64)
{
    TRY(check_name(name));
    TRY(find_fd(fd));
    return not_supported("fgetxattr");
}

Result<i64> sys_setxattr(UserAddress path, UserAddress name, UserAddress, u64, int)
{
    TRY(check_name(name));
    TRY(find_path(path, FollowLastLink::Yes));
    return not_supported("setxattr");
}
Result<i64> sys_lsetxattr(UserAddress path, UserAddress name, UserAddress, u64, int)
{
    TRY(check_name(name));
    TRY(find_path(path, FollowLastLink::No));
    return not_supported("lsetxattr");
}
Result<i64> sys_fsetxattr(int fd, UserAddress name, UserAddress, u64, int)
{
    TRY(check_name(name));
    TRY(find_fd(fd));
    return not_supported("fsetxattr");
}

Result<i64> sys_removexattr(UserAddress path, UserAddress name)
{
    TRY(check_name(name));
    TRY(find_path(path, FollowLastLink::Yes));
    return not_supported("removexattr");
}
Result<i64> sys_lremovexattr(UserAddress path, UserAddress name)
{
    TRY(check_name(name));
    TRY(find_path(path, FollowLastLink::No));
    return not_supported("lremovexattr");
}
Result<i64> sys_fremovexattr(int fd, UserAddress name)
{
    TRY(check_name(name));
    TRY(find_fd(fd));
    return not_supported("fremovexattr");
}

// An empty list: no attributes (0 bytes, whatever the buffer).
Result<i64> sys_listxattr(UserAddress path, UserAddress, u64)
{
    TRY(find_path(path, FollowLastLink::Yes));
    return 0;
}
Result<i64> sys_llistxattr(UserAddress path, UserAddress, u64)
{
    TRY(find_path(path, FollowLastLink::No));
    return 0;
}
Result<i64> sys_flistxattr(int fd, UserAddress, u64)
{
    TRY(find_fd(fd));
    return 0;
}
