#include "tmpfs.h"
#include "file_seals.h"
#include "kernel/lib/assert.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/memory_context.h"
#include "memory_metadata.h"

namespace {

// What one tmpfs instance may hold (Linux's shmem_sb_info): pages of file data, counted by
// the PageLimit every file's page cache charges, and inodes. An inode takes one slot for
// itself and one per extra hard link, as on Linux (so links cannot fill memory either).
class TmpfsSpace : public RefCounted<TmpfsSpace> {
public:
    static Result<RefPtr<TmpfsSpace>> create(u64 max_pages, u64 max_inodes)
    {
        RefPtr<PageLimit> pages = TRY(PageLimit::create(max_pages));
        auto* space = new (std::nothrow) TmpfsSpace(pages, max_inodes);
        if (!space)
            return Errno::NoMemory;
        return adopt_ref(space);
    }

    RefPtr<PageLimit> const& pages() const { return m_pages; }
    // NoSpace when every inode slot is taken.
    Result<void> take_inode_slot()
    {
        if (m_used_inodes >= m_max_inodes)
            return Errno::NoSpace;
        ++m_used_inodes;
        return {};
    }
    void give_back_inode_slot()
    {
        VERIFY(m_used_inodes > 0);
        --m_used_inodes;
    }

    void statfs(LinuxStatfs& out) const
    {
        out = {};
        out.f_type = TMPFS_MAGIC;
        out.f_bsize = PAGE_SIZE;
        out.f_frsize = PAGE_SIZE;
        out.f_blocks = m_pages->max_pages();
        out.f_bfree = out.f_bavail = m_pages->free_pages();
        out.f_files = m_max_inodes;
        out.f_ffree = m_max_inodes - m_used_inodes;
        out.f_namelen = 255;
        out.f_flags = STATFS_VALID | (m_read_only ? STATFS_READ_ONLY : 0);
    }
    // Mounted read-only (MS_RDONLY, or a remount): every change fails with EROFS.
    bool read_only() const { return m_read_only; }
    void set_read_only(bool value) { m_read_only = value; }

private:
    friend class RefCounted<TmpfsSpace>;
    TmpfsSpace(RefPtr<PageLimit> pages, u64 max_inodes) : m_pages(pages), m_max_inodes(max_inodes) { }
    ~TmpfsSpace() = default;

    RefPtr<PageLimit> m_pages;
    u64 m_max_inodes;
    u64 m_used_inodes { 0 };
    bool m_read_only { false };
};

class TmpfsInode;

struct DirectoryEntry {
    char name[256];
    usize length;
    RefPtr<TmpfsInode> inode;
    u64 cookie; // getdents's position of this entry: stays while others come and go
    DirectoryEntry* next;
};

bool same_name(DirectoryEntry const& entry, Name name)
{
    return entry.length == name.length && memcmp(entry.name, name.characters, name.length) == 0;
}

// Every inode holds one slot of its TmpfsSpace, taken before it was made (add_new) and
// given back when it goes.
class TmpfsInode final : public Inode {
public:
    TmpfsInode(RefPtr<TmpfsSpace> space, u64 device, u64 number, u32 mode, InodeOwner owner)
        : m_space(space), m_device(device), m_number(number), m_metadata(mode, owner)
    { }
    ~TmpfsInode() override
    {
        while (DirectoryEntry* entry = m_entries) {
            m_entries = entry->next;
            delete entry;
        }
        delete[] m_link_target;
        m_space->give_back_inode_slot();
    }

    u64 number() const override { return m_number; }
    u64 device() const override { return m_device; }
    u64 stored_size() override { return 0; }
    u32 mode() override { return m_metadata.mode(); }
    InodeOwner owner() override { return m_metadata.owner(); }
    u32* seal_word() override { return is_regular() ? &m_seals : nullptr; }

    void stat(LinuxStat& out) override
    {
        out = {};
        out.st_dev = m_device;
        out.st_ino = m_number;
        m_metadata.fill_stat(out);
        out.st_nlink = m_links;
        out.st_blksize = PAGE_SIZE;
        out.st_rdev = encode_dev_t(m_device_number);
        if (is_regular() && m_page_cache)
            out.st_size = static_cast<i64>(m_page_cache->size());
        else if (is_symlink())
            out.st_size = static_cast<i64>(strlen(m_link_target));
        else if (is_directory())
            out.st_size = 4096;
        out.st_blocks = (out.st_size + 511) / 512;
        // A file's blocks are the pages it holds (holes hold none), as Linux counts them.
        if (is_regular())
            out.st_blocks = m_page_cache ? static_cast<i64>(m_page_cache->cached_pages() * (PAGE_SIZE / 512)) : 0;
    }

    bool is_read_only() override { return m_space->read_only(); }
    Result<void> remount_file_system(bool read_only) override
    {
        m_space->set_read_only(read_only);
        return {};
    }
    Result<void> statfs(LinuxStatfs& out) override
    {
        m_space->statfs(out);
        return {};
    }
    RefPtr<PageLimit> page_limit() override { return m_space->pages(); }

    Result<RefPtr<Inode>> lookup(Name name) override
    {
        TRY(require_directory());
        DirectoryEntry* entry = find(name);
        if (!entry)
            return Errno::NoEntry;
        return RefPtr<Inode>(entry->inode.ptr());
    }

    Result<RefPtr<Inode>> create(Name name, u32 mode, InodeOwner owner) override
    {
        return add_new(name, type_of_new_file(mode) | (mode & 07777), owner);
    }
    Result<RefPtr<Inode>> create_device(Name name, u32 mode, DeviceNumber number, InodeOwner owner) override
    {
        RefPtr<Inode> node = TRY(add_new(name, (mode & MODE_TYPE_MASK) | (mode & 07777), owner));
        static_cast<TmpfsInode&>(*node).m_device_number = number;
        return node;
    }
    DeviceNumber device_number() override { return m_device_number; }

    Result<RefPtr<Inode>> make_directory(Name name, u32 mode, InodeOwner owner) override
    {
        RefPtr<Inode> directory = TRY(add_new(name, MODE_DIRECTORY | (mode & 07777), owner));
        ++m_links; // the child's ".."
        return directory;
    }

    Result<void> make_symlink(Name name, char const* target, InodeOwner owner) override
    {
        usize length = strlen(target);
        char* copy = new (std::nothrow) char[length + 1];
        if (!copy)
            return Errno::NoMemory;
        memcpy(copy, target, length + 1);
        auto link = add_new(name, MODE_SYMLINK | 0777, owner);
        if (link.is_error()) {
            delete[] copy;
            return link.error();
        }
        static_cast<TmpfsInode&>(*link.value()).m_link_target = copy;
        return {};
    }

    Result<void> link(Name name, Inode& target) override
    {
        TRY(require_directory());
        if (target.device() != m_device)
            return Errno::CrossDevice;
        if (target.is_directory())
            return Errno::NotPermitted;
        if (find(name))
            return Errno::Exists;
        auto& inode = static_cast<TmpfsInode&>(target);
        TRY(m_space->take_inode_slot()); // a link costs a slot, as on Linux
        if (auto added = add_entry(name, RefPtr<TmpfsInode>(&inode)); added.is_error()) {
            m_space->give_back_inode_slot();
            return added.error();
        }
        ++inode.m_links;
        inode.m_metadata.update_times(TimeUpdate::Change);
        return {};
    }

    Result<void> unlink(Name name) override
    {
        TRY(require_directory());
        DirectoryEntry* entry = find(name);
        if (!entry)
            return Errno::NoEntry;
        if (entry->inode->is_directory())
            return Errno::IsDirectory;
        entry->inode->drop_link();
        entry->inode->m_metadata.update_times(TimeUpdate::Change);
        remove_entry(entry);
        return {};
    }

    Result<void> remove_directory(Name name) override
    {
        TRY(require_directory());
        DirectoryEntry* entry = find(name);
        if (!entry)
            return Errno::NoEntry;
        if (!entry->inode->is_directory())
            return Errno::NotDirectory;
        if (entry->inode->m_entries)
            return Errno::NotEmpty;
        entry->inode->m_links = 0;
        --m_links;
        remove_entry(entry);
        return {};
    }

    Result<void> rename(Name from, Inode& target_inode, Name to) override
    {
        TRY(require_directory());
        if (target_inode.device() != m_device)
            return Errno::CrossDevice;
        auto& target = static_cast<TmpfsInode&>(target_inode);
        DirectoryEntry* entry = find(from);
        if (!entry)
            return Errno::NoEntry;
        RefPtr<TmpfsInode> moving = entry->inode;
        if (DirectoryEntry* existing = target.find(to)) {
            if (existing->inode == moving)
                return {};
            bool moving_directory = moving->is_directory();
            if (existing->inode->is_directory() && !moving_directory)
                return Errno::IsDirectory;
            if (!existing->inode->is_directory() && moving_directory)
                return Errno::NotDirectory;
            if (existing->inode->m_entries)
                return Errno::NotEmpty;
            existing->inode->m_metadata.update_times(TimeUpdate::Change);
            if (moving_directory) {
                existing->inode->m_links = 0;
                --target.m_links;
            } else {
                existing->inode->drop_link();
            }
            target.remove_entry(existing);
        }
        TRY(target.add_entry(to, moving));
        remove_entry(find(from));
        moving->m_metadata.update_times(TimeUpdate::Change);
        if (moving->is_directory() && &target != this) {
            --m_links;
            ++target.m_links;
        }
        return {};
    }

    Result<void> read_directory(u64& cookie, DirectoryVisitor visit) override
    {
        TRY(require_directory());
        // Cookies: 0 = ".", 1 = "..", then each entry's own (rising along the list), so an
        // unlink between two calls skips nothing and repeats nothing.
        if (cookie == 0) {
            if (!visit(Name { ".", 1 }, m_number, DT_DIR))
                return {};
            cookie = 1;
        }
        if (cookie == 1) {
            if (!visit(Name { "..", 2 }, m_parent_number, DT_DIR))
                return {};
            cookie = 2;
        }
        for (DirectoryEntry* entry = m_entries; entry; entry = entry->next) {
            if (entry->cookie < cookie)
                continue;
            u32 type = entry->inode->mode() & MODE_TYPE_MASK;
            u8 d_type = type == MODE_DIRECTORY ? DT_DIR
                : type == MODE_SYMLINK         ? DT_LNK
                : type == MODE_FIFO            ? DT_FIFO
                : type == MODE_SOCKET          ? DT_SOCK
                                               : DT_REG;
            if (!visit(Name { entry->name, entry->length }, entry->inode->m_number, d_type))
                return {};
            cookie = entry->cookie + 1;
        }
        return {};
    }

    Result<usize> read_link(char* out, usize capacity) override
    {
        if (!m_link_target)
            return Errno::Invalid;
        usize n = min(strlen(m_link_target), capacity);
        memcpy(out, m_link_target, n);
        return n;
    }

    Result<void> change_attributes(AttributeChange const& change) override
    {
        if (change.which & AttributeChange::Mode)
            TRY(check_sealed_mode_change(*this, mode(), change.mode));
        m_metadata.apply(change);
        return {};
    }
    void update_times(TimeUpdate update) override { m_metadata.update_times(update); }

    u64 m_parent_number { 0 };

private:
    // A name of this (non-directory) inode goes away. Every link but the last holds an inode
    // slot of its own; the last one's slot is the inode's, given back when it goes.
    void drop_link()
    {
        if (m_links > 1)
            m_space->give_back_inode_slot();
        --m_links;
    }

    Result<void> require_directory()
    {
        if (!is_directory())
            return Errno::NotDirectory;
        if (m_links == 0)
            return Errno::NoEntry; // removed while someone still had it open
        return {};
    }

    DirectoryEntry* find(Name name)
    {
        for (DirectoryEntry* entry = m_entries; entry; entry = entry->next)
            if (same_name(*entry, name))
                return entry;
        return nullptr;
    }

    Result<void> add_entry(Name name, RefPtr<TmpfsInode> inode)
    {
        if (name.length > 255)
            return Errno::NameTooLong;
        auto* entry = new (std::nothrow) DirectoryEntry;
        if (!entry)
            return Errno::NoMemory;
        memcpy(entry->name, name.characters, name.length);
        entry->length = name.length;
        entry->inode = inode;
        entry->cookie = m_next_cookie++;
        entry->next = nullptr;
        DirectoryEntry** tail = &m_entries;
        while (*tail)
            tail = &(*tail)->next;
        *tail = entry;
        m_metadata.update_times(TimeUpdate::Modify);
        return {};
    }

    void remove_entry(DirectoryEntry* entry)
    {
        for (DirectoryEntry** link = &m_entries; *link; link = &(*link)->next) {
            if (*link == entry) {
                *link = entry->next;
                delete entry;
                m_metadata.update_times(TimeUpdate::Modify);
                return;
            }
        }
    }

    Result<RefPtr<Inode>> add_new(Name name, u32 mode, InodeOwner);

    RefPtr<TmpfsSpace> m_space;
    u64 m_device;
    u64 m_number;
    MemoryMetadata m_metadata;
    u32 m_links { 1 };
    DirectoryEntry* m_entries { nullptr };
    u64 m_next_cookie { 2 }; // after "." and ".."
    char* m_link_target { nullptr };
    DeviceNumber m_device_number; // of a device node made by mknod
    u32 m_seals { F_SEAL_SEAL }; // a regular file's (file_seals.h): none may be added, unless a memfd allows it
};

u64 g_next_inode_number = 1;

Result<RefPtr<Inode>> TmpfsInode::add_new(Name name, u32 mode, InodeOwner owner)
{
    TRY(require_directory());
    if (name.length > 255)
        return Errno::NameTooLong;
    if (find(name))
        return Errno::Exists;
    TRY(m_space->take_inode_slot()); // the new inode's own; its destructor gives it back
    auto* raw = new (std::nothrow) TmpfsInode(m_space, m_device, ++g_next_inode_number, mode, owner);
    if (!raw) {
        m_space->give_back_inode_slot();
        return Errno::NoMemory;
    }
    RefPtr<TmpfsInode> inode = adopt_ref(raw);
    inode->m_parent_number = m_number;
    if ((mode & MODE_TYPE_MASK) == MODE_DIRECTORY)
        inode->m_links = 2;
    TRY(add_entry(name, inode));
    return RefPtr<Inode>(inode.ptr());
}

}

Result<RefPtr<Inode>> tmpfs_create_root(TmpfsOptions options)
{
    // Linux's defaults: half of RAM for the data, and as many inodes as half of RAM has pages.
    u64 half_of_ram = kernel_memory_context().frames.total_frames() / 2;
    u64 pages = options.max_pages ? options.max_pages : half_of_ram;
    RefPtr<TmpfsSpace> space = TRY(TmpfsSpace::create(pages, options.max_inodes ? options.max_inodes : half_of_ram));
    space->set_read_only(options.read_only);
    TRY(space->take_inode_slot()); // the root's
    auto* root = new (std::nothrow)
        TmpfsInode(space, allocate_device_number(), 1, MODE_DIRECTORY | (options.root_mode & 07777), InodeOwner {});
    if (!root) {
        space->give_back_inode_slot();
        return Errno::NoMemory;
    }
    root->m_parent_number = 1;
    return adopt_ref<Inode>(root);
}
