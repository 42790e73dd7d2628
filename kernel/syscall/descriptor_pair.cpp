#include "descriptor_pair.h"
#include "kernel/fs/fd_table.h"

Result<i64> install_descriptor_pair(RefPtr<OpenFile> first, RefPtr<OpenFile> second, bool close_on_exec, UserAddress address)
{
    FdTable& table = current_process().fds();
    int first_fd = TRY(table.allocate(first, close_on_exec));
    auto second_fd = table.allocate(second, close_on_exec);
    if (second_fd.is_error()) {
        MUST(table.close(first_fd));
        return second_fd.error();
    }
    i32 pair[2] = { first_fd, second_fd.value() };
    if (auto copied = copy_to_user(user_space(), address, pair, sizeof pair); copied.is_error()) {
        MUST(table.close(first_fd));
        MUST(table.close(second_fd.value()));
        return copied.error();
    }
    return 0;
}
