#include "tmpfs.h"
#include "kernel/lib/memory.h"
#include "memory_metadata.h"

namespace {

class TmpfsInode;

struct DirectoryEntry {
    char name[256];
    usize length;
    RefPtr<TmpfsInode> inode;
    DirectoryEntry* next;
};

bool same_name(DirectoryEntry const& entry, Name name)
{
    return entry.length == name.length && memcmp(entry.name, name.characters, name.length) == 0;
}

class TmpfsInode final : public Inode {
public:
    TmpfsInode(u64 device, u64 number, u32 mode, InodeOwner owner) : m_device(device), m_number(number), m_metadata(mode, owner)
    { }
    ~TmpfsInode() override
    {
        while (DirectoryEntry* entry = m_entries) {
            m_entries = entry->next;
            delete entry;
        }
        delete[] m_link_target;
    }

    u64 number() const override { return m_number; }
    u64 device() const override { return m_device; }
    u64 stored_size() override { return 0; }
    u32 mode() override { return m_metadata.mode(); }
    InodeOwner owner() override { return m_metadata.owner(); }

    void stat(LinuxStat& out) override
    {
        out = {};
        out.st_dev = m_device;
        out.st_ino = m_number;
        m_metadata.fill_stat(out);
        out.st_nlink = m_links;
        out.st_blksize = PAGE_SIZE;
        if (is_regular() && m_page_cache)
            out.st_size = static_cast<i64>(m_page_cache->size());
        else if (is_symlink())
            out.st_size = static_cast<i64>(strlen(m_link_target));
        else if (is_directory())
            out.st_size = 4096;
        out.st_blocks = (out.st_size + 511) / 512;
    }

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
        return add_new(name, MODE_REGULAR | (mode & 07777), owner);
    }

    Result<RefPtr<Inode>> make_directory(Name name, u32 mode, InodeOwner owner) override
    {
        RefPtr<Inode> directory = TRY(add_new(name, MODE_DIRECTORY | (mode & 07777), owner));
        ++m_links; // the child's ".."
        return directory;
    }

    Result<void> make_symlink(Name name, char const* target, InodeOwner owner) override
    {
        RefPtr<Inode> link = TRY(add_new(name, MODE_SYMLINK | 0777, owner));
        auto& symlink = static_cast<TmpfsInode&>(*link);
        usize length = strlen(target);
        symlink.m_link_target = new (std::nothrow) char[length + 1];
        if (!symlink.m_link_target)
            return Errno::NoMemory;
        memcpy(symlink.m_link_target, target, length + 1);
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
        TRY(add_entry(name, RefPtr<TmpfsInode>(&inode)));
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
        --entry->inode->m_links;
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
            --existing->inode->m_links;
            existing->inode->m_metadata.update_times(TimeUpdate::Change);
            if (moving_directory)
                --target.m_links;
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
        // Cookies: 0 = ".", 1 = "..", 2 + n = the n-th entry.
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
        u64 index = 0;
        for (DirectoryEntry* entry = m_entries; entry; entry = entry->next, ++index) {
            if (index + 2 < cookie)
                continue;
            u32 type = entry->inode->mode() & MODE_TYPE_MASK;
            u8 d_type = type == MODE_DIRECTORY ? DT_DIR : type == MODE_SYMLINK ? DT_LNK : DT_REG;
            if (!visit(Name { entry->name, entry->length }, entry->inode->m_number, d_type))
                return {};
            cookie = index + 3;
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
        m_metadata.apply(change);
        return {};
    }
    void update_times(TimeUpdate update) override { m_metadata.update_times(update); }

    u64 m_parent_number { 0 };

private:
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

    u64 m_device;
    u64 m_number;
    MemoryMetadata m_metadata;
    u32 m_links { 1 };
    DirectoryEntry* m_entries { nullptr };
    char* m_link_target { nullptr };
};

u64 g_next_inode_number = 1;

Result<RefPtr<Inode>> TmpfsInode::add_new(Name name, u32 mode, InodeOwner owner)
{
    TRY(require_directory());
    if (name.length > 255)
        return Errno::NameTooLong;
    if (find(name))
        return Errno::Exists;
    auto* raw = new (std::nothrow) TmpfsInode(m_device, ++g_next_inode_number, mode, owner);
    if (!raw)
        return Errno::NoMemory;
    RefPtr<TmpfsInode> inode = adopt_ref(raw);
    inode->m_parent_number = m_number;
    if ((mode & MODE_TYPE_MASK) == MODE_DIRECTORY)
        inode->m_links = 2;
    TRY(add_entry(name, inode));
    return RefPtr<Inode>(inode.ptr());
}

}

Result<RefPtr<Inode>> tmpfs_create_root()
{
    auto* root = new (std::nothrow) TmpfsInode(allocate_device_number(), 1, MODE_DIRECTORY | 01777, InodeOwner {});
    if (!root)
        return Errno::NoMemory;
    root->m_parent_number = 1;
    return adopt_ref<Inode>(root);
}
