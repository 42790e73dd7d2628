#include "path_file.h"
#include "kernel/lib/memory.h"

Result<RefPtr<File>> open_path_only(RefPtr<Inode> inode)
{
    auto* file = new (std::nothrow) PathFile(static_cast<RefPtr<Inode>&&>(inode));
    if (!file)
        return Errno::NoMemory;
    return adopt_ref<File>(file);
}
