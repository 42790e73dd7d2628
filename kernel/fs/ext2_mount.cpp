#include "ext2_mount.h"
#include "ext2/ext2_file_system.h"
#include "kernel/dev/clock.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/memory_context.h"

namespace {

class Ext2Inode;

u32 ext2_clock() { return static_cast<u32>(realtime_seconds()); }

}

class Ext2Mount {
public:
    Ext2Mount(OwnPtr<Ext2FileSystem> fs, u64 device, char const* label)
        : m_fs(static_cast<OwnPtr<Ext2FileSystem>&&>(fs)), m_device(device)
    {
        usize n = min<usize>(strlen(label), sizeof m_label - 1);
        memcpy(m_label, label, n);
    }
    Ext2FileSystem& fs() { return *m_fs; }
    u64 device() const { return m_device; }
    char const* label() const { return m_label; }

    // The one Inode object for `number`, made on first use.
    Result<RefPtr<Inode>> inode(u32 number);
    void forget(Ext2Inode&);
    // An inode that lost its last name (unlink, rmdir, rename over it) is freed now if
    // nothing but this mount's cache holds it, else when its last holder lets go.
    void release_if_unused(u32 number);
    Result<void> sync(bool unmount);
    void release_unused();
    // umount2: Busy while an inode other than the root is used by anyone but this mount, or
    // a file is mapped; else writes everything, marks the volume clean and deletes this.
    // `root_references`: the references to the root its caller knows of (its own).
    Result<void> unmount(unsigned root_references);
    Result<void> remount(bool read_only);
    bool is_finished() const
    {
        if (!m_unmounted)
            return false;
        for (usize b = 0; b < BUCKETS; ++b)
            if (m_buckets[b])
                return false;
        return true;
    }

    Ext2Mount* next { nullptr };

private:
    Ext2Inode* object_for(u32 number) const;
    // Lets go of the cache's reference to an unlinked inode that is not mapped.
    void drop_if_unused(Ext2Inode&);

public:
private:
    static constexpr usize BUCKETS = 256;
    OwnPtr<Ext2FileSystem> m_fs;
    u64 m_device;
    char m_label[32] {};
    bool m_unmounted { false };
    Ext2Inode* m_buckets[BUCKETS] {};
};

namespace {

Ext2Mount* g_mounts;

class Ext2Inode final : public Inode {
public:
    Ext2Inode(Ext2Mount& mount, u32 number) : m_mount(mount), m_number(number) { }
    ~Ext2Inode() override
    {
        // Write back before the inode number may be freed, then let ext2 free it if an
        // unlink took its last link (the file lived on while open or mapped).
        if (m_page_cache)
            (void)m_page_cache->detach_pager();
        m_page_cache.clear();
        (void)fs().release_inode(m_number);
        m_mount.forget(*this);
        if (m_mount.is_finished())
            delete &m_mount; // unmounted, and this was its last inode (the root)
    }

    u64 number() const override { return m_number; }
    u64 device() const override { return m_mount.device(); }
    u64 stored_size() override
    {
        auto info = fs().stat(m_number);
        return info.is_error() ? 0 : info.value().size;
    }

    u32 mode() override
    {
        auto info = fs().stat(m_number); // the inode table, through the block cache
        return info.is_error() ? 0 : info.value().mode;
    }

    void stat(LinuxStat& out) override
    {
        out = {};
        out.st_dev = m_mount.device();
        out.st_ino = m_number;
        auto info = fs().stat(m_number);
        if (info.is_error())
            return;
        Ext2InodeInfo const& i = info.value();
        out.st_mode = i.mode;
        out.st_nlink = i.links;
        out.st_uid = i.uid;
        out.st_gid = i.gid;
        out.st_size = static_cast<i64>(m_page_cache && (i.mode & MODE_TYPE_MASK) == MODE_REGULAR ? m_page_cache->size() : i.size);
        out.st_blksize = fs().block_size();
        out.st_blocks = static_cast<i64>(i.blocks);
        out.st_atime = i.atime;
        out.st_mtime = i.mtime;
        out.st_ctime = i.ctime;
        out.st_rdev = encode_dev_t(i.device);
    }

    Result<void> statfs(LinuxStatfs& out) override
    {
        constexpr i64 EXT2_SUPER_MAGIC = 0xEF53;
        Ext2Statistics figures = fs().statistics();
        out = {};
        out.f_type = EXT2_SUPER_MAGIC;
        out.f_bsize = out.f_frsize = figures.block_size;
        out.f_blocks = figures.blocks;
        out.f_bfree = figures.free_blocks;
        out.f_bavail = figures.available_blocks;
        out.f_files = figures.inodes;
        out.f_ffree = figures.free_inodes;
        out.f_namelen = 255;
        out.f_flags = STATFS_VALID | (fs().read_only() ? STATFS_READ_ONLY : 0);
        return {};
    }

    Result<RefPtr<Inode>> lookup(Name name) override
    {
        u32 number = TRY(fs().lookup(m_number, name.characters, name.length));
        return m_mount.inode(number);
    }
    Result<RefPtr<Inode>> create(Name name, u32 mode, InodeOwner owner) override
    {
        u32 number = TRY(fs().create(
            m_number, name.characters, name.length, type_of_new_file(mode) | (mode & 07777), Ext2Owner { owner.uid, owner.gid }));
        return m_mount.inode(number);
    }
    Result<RefPtr<Inode>> create_device(Name name, u32 mode, DeviceNumber device, InodeOwner owner) override
    {
        u32 number = TRY(fs().create(m_number, name.characters, name.length, mode, Ext2Owner { owner.uid, owner.gid }, device));
        return m_mount.inode(number);
    }
    DeviceNumber device_number() override
    {
        auto info = fs().stat(m_number);
        return info.is_error() ? DeviceNumber {} : info.value().device;
    }
    Result<RefPtr<Inode>> make_directory(Name name, u32 mode, InodeOwner owner) override
    {
        u32 number = TRY(fs().mkdir(m_number, name.characters, name.length, mode & 07777, Ext2Owner { owner.uid, owner.gid }));
        return m_mount.inode(number);
    }
    Result<void> make_symlink(Name name, char const* target, InodeOwner owner) override
    {
        TRY(fs().symlink(m_number, name.characters, name.length, target, strlen(target), Ext2Owner { owner.uid, owner.gid }));
        return {};
    }
    Result<void> link(Name name, Inode& target) override
    {
        return fs().link(static_cast<u32>(target.number()), m_number, name.characters, name.length);
    }
    Result<void> unlink(Name name) override
    {
        u32 removed = TRY(fs().unlink(m_number, name.characters, name.length));
        release_if_unused(removed);
        return {};
    }
    Result<void> remove_directory(Name name) override
    {
        u32 removed = TRY(fs().rmdir(m_number, name.characters, name.length));
        release_if_unused(removed);
        return {};
    }
    Result<void> rename(Name from, Inode& target, Name to) override
    {
        u32 replaced = TRY(
            fs().rename(m_number, from.characters, from.length, static_cast<u32>(target.number()), to.characters, to.length));
        if (replaced)
            release_if_unused(replaced);
        return {};
    }
    Result<void> read_directory(u64& cookie, DirectoryVisitor visit) override
    {
        TRY(fs().read_directory(m_number, cookie, [&](char const* name, usize length, u32 number, u8 type) {
            return visit(Name { name, length }, number, type);
        }));
        return {};
    }
    Result<usize> read_link(char* out, usize capacity) override { return fs().readlink(m_number, out, capacity); }
    InodeOwner owner() override
    {
        auto info = fs().stat(m_number);
        return info.is_error() ? InodeOwner {} : InodeOwner { info.value().uid, info.value().gid };
    }
    bool is_read_only() override { return fs().read_only(); }
    // ext2 keeps whole seconds, as Linux's ext2 does on disk.
    Result<void> change_attributes(AttributeChange const& change) override
    {
        if (change.has(AttributeChange::Mode))
            TRY(fs().chmod(m_number, change.mode));
        if (change.has(AttributeChange::Uid) || change.has(AttributeChange::Gid)) {
            Ext2InodeInfo info = TRY(fs().stat(m_number));
            TRY(fs().chown(m_number, change.has(AttributeChange::Uid) ? change.uid : info.uid,
                change.has(AttributeChange::Gid) ? change.gid : info.gid));
        }
        if (change.has(AttributeChange::Atime) || change.has(AttributeChange::Mtime)) {
            Ext2InodeInfo info = TRY(fs().stat(m_number));
            TRY(fs().set_times(m_number, change.has(AttributeChange::Atime) ? static_cast<u32>(change.atime.seconds) : info.atime,
                change.has(AttributeChange::Mtime) ? static_cast<u32>(change.mtime.seconds) : info.mtime));
        }
        if (change.which == 0)
            TRY(fs().touch(m_number, Ext2TimeUpdate::Change));
        return {};
    }
    void update_times(TimeUpdate update) override
    {
        if (fs().read_only())
            return;
        Ext2TimeUpdate what = Ext2TimeUpdate::Change;
        switch (update) {
        case TimeUpdate::Access: {
            auto info = fs().stat(m_number);
            if (info.is_error()
                || !relatime_wants_update(FileTime { info.value().atime }, FileTime { info.value().mtime },
                    FileTime { info.value().ctime }, file_time_now()))
                return;
            what = Ext2TimeUpdate::Access;
            break;
        }
        case TimeUpdate::Modify:
            what = Ext2TimeUpdate::Modify;
            break;
        case TimeUpdate::Change:
            break;
        }
        // Like Linux's mark_inode_dirty after a time update: an I/O error shows at sync.
        (void)fs().touch(m_number, what);
    }

    Result<void> store_size(u64 size) override { return fs().set_size(m_number, size); }
    Result<void> reserve_storage(u64 offset, u64 length) override { return fs().reserve_blocks(m_number, offset, length); }
    Result<void> sync() override
    {
        TRY(Inode::sync());
        return fs().sync();
    }
    Result<void> sync_file_system() override { return m_mount.sync(false); }
    Result<void> unmount_file_system() override { return m_mount.unmount(1); }
    Result<void> remount_file_system(bool read_only) override { return m_mount.remount(read_only); }

    Result<void> read_page(u64 index, u8* page) override { return fs().read_page(m_number, index, page); }
    Result<void> read_pages(u64 first_index, u8* const* pages, usize count) override
    {
        return fs().read_pages(m_number, first_index, pages, count);
    }
    Result<void> write_page(u64 index, u8 const* page, usize valid_bytes) override
    {
        return fs().write_page(m_number, index, page, valid_bytes);
    }
    Result<void> write_pages(PageToWrite const* pages, usize count) override { return fs().write_pages(m_number, pages, count); }
    bool is_backed() const override { return true; }

    // The page cache, for the mount's sync and for reclaiming.
    PageCache* cache() { return m_page_cache.ptr(); }
    bool is_unlinked()
    {
        auto info = fs().stat(m_number);
        return info.is_error() || info.value().links == 0;
    }

    Ext2Inode* next_in_bucket { nullptr };
    bool held_by_mount { false };

private:
    Ext2FileSystem& fs() { return m_mount.fs(); }
    void release_if_unused(u32 number) { m_mount.release_if_unused(number); }

    Ext2Mount& m_mount;
    u32 m_number;
};

}

Result<RefPtr<Inode>> Ext2Mount::inode(u32 number)
{
    for (Ext2Inode* i = m_buckets[number % BUCKETS]; i; i = i->next_in_bucket)
        if (i->number() == number)
            return RefPtr<Inode>(i);
    auto* inode = new (std::nothrow) Ext2Inode(*this, number);
    if (!inode)
        return Errno::NoMemory;
    inode->next_in_bucket = m_buckets[number % BUCKETS];
    m_buckets[number % BUCKETS] = inode;
    // The mount keeps every inode it has handed out alive (an inode cache), so a file's
    // page cache outlives its last open file — a mapping may still use it. Unused ones are
    // dropped by release_unused().
    inode->ref();
    inode->held_by_mount = true;
    return adopt_ref<Inode>(inode);
}

Ext2Inode* Ext2Mount::object_for(u32 number) const
{
    for (Ext2Inode* i = m_buckets[number % BUCKETS]; i; i = i->next_in_bucket)
        if (i->number() == number)
            return i;
    return nullptr;
}

void Ext2Mount::drop_if_unused(Ext2Inode& inode)
{
    // A linked inode keeps its cached pages until memory is short. An unlinked one needs the
    // mount's reference no longer: no name can find it again. Dropping it destroys the
    // object at once if nothing else holds it, or when the last open file or cwd lets go;
    // the destructor frees the inode. Only a mapped one stays with the mount, since its
    // pages may still be read in (release_unused drops it once unmapped).
    bool mapped = inode.cache() && inode.cache()->is_mapped();
    if (!inode.held_by_mount || mapped || !inode.is_unlinked())
        return;
    inode.held_by_mount = false;
    inode.unref();
}

void Ext2Mount::release_if_unused(u32 number)
{
    // The VFS looked the entry up before removing it (permission checks), so an object
    // usually exists; without one, nothing holds the inode at all.
    if (Ext2Inode* inode = object_for(number))
        drop_if_unused(*inode);
    else
        (void)m_fs->release_inode(number);
}

void Ext2Mount::forget(Ext2Inode& inode)
{
    for (Ext2Inode** link = &m_buckets[inode.number() % BUCKETS]; *link; link = &(*link)->next_in_bucket) {
        if (*link == &inode) {
            *link = inode.next_in_bucket;
            return;
        }
    }
}

void Ext2Mount::release_unused()
{
    for (usize b = 0; b < BUCKETS; ++b) {
        for (Ext2Inode* inode = m_buckets[b]; inode;) {
            Ext2Inode* next = inode->next_in_bucket;
            drop_if_unused(*inode);
            inode = next;
        }
    }
}

Result<void> Ext2Mount::sync(bool unmount)
{
    Result<void> first_error;
    auto note = [&](Result<void> result) {
        if (result.is_error() && !first_error.is_error())
            first_error = result.error();
    };
    for (usize b = 0; b < BUCKETS; ++b)
        for (Ext2Inode* inode = m_buckets[b]; inode; inode = inode->next_in_bucket)
            if (inode->cache())
                note(inode->cache()->write_back_all(unmount ? WriteBackReason::Shutdown : WriteBackReason::Sync));
    release_unused();
    note(unmount ? m_fs->unmount() : m_fs->sync());
    return first_error;
}

Result<void> Ext2Mount::remount(bool read_only)
{
    if (read_only) {
        for (usize b = 0; b < BUCKETS; ++b)
            for (Ext2Inode* inode = m_buckets[b]; inode; inode = inode->next_in_bucket)
                if (inode->write_count() > 0)
                    return Errno::Busy; // a file open for writing: Linux's sb_prepare_remount_readonly
        TRY(sync(false));
    }
    return m_fs->remount(read_only ? Ext2MountMode::ReadOnly : Ext2MountMode::ReadWrite);
}

Result<void> Ext2Mount::unmount(unsigned root_references)
{
    u32 root = m_fs->root_inode();
    for (usize b = 0; b < BUCKETS; ++b) {
        for (Ext2Inode* inode = m_buckets[b]; inode; inode = inode->next_in_bucket) {
            unsigned ours = (inode->held_by_mount ? 1 : 0) + (inode->number() == root ? root_references : 0);
            if (inode->ref_count() > ours || (inode->cache() && inode->cache()->is_mapped()))
                return Errno::Busy;
        }
    }
    TRY(sync(true));
    // Every inode object now lives only by this mount's reference (and the caller's root):
    // let them go, the root last, since its caller still holds it.
    for (;;) {
        Ext2Inode* victim = nullptr;
        for (usize b = 0; b < BUCKETS && !victim; ++b)
            for (Ext2Inode* inode = m_buckets[b]; inode && !victim; inode = inode->next_in_bucket)
                if (inode->held_by_mount && inode->number() != root)
                    victim = inode;
        if (!victim)
            break;
        victim->held_by_mount = false;
        victim->unref();
    }
    for (Ext2Mount** link = &g_mounts; *link; link = &(*link)->next) {
        if (*link == this) {
            *link = next;
            break;
        }
    }
    m_unmounted = true;
    // The root's object goes when the caller lets go of it, and takes this mount with it.
    if (Ext2Inode* root_inode = object_for(root); root_inode && root_inode->held_by_mount) {
        root_inode->held_by_mount = false;
        root_inode->unref();
    }
    return {};
}

Result<RefPtr<Inode>> ext2_mount(BlockDevice& device, char const* label, Ext2Access access)
{
    OwnPtr<Ext2FileSystem> fs = TRY(Ext2FileSystem::mount(
        device, access == Ext2Access::ReadOnly ? Ext2MountMode::ReadOnly : Ext2MountMode::ReadWrite, ext2_clock));
    auto* mount = new (std::nothrow) Ext2Mount(static_cast<OwnPtr<Ext2FileSystem>&&>(fs), allocate_device_number(), label);
    if (!mount)
        return Errno::NoMemory;
    mount->next = g_mounts;
    g_mounts = mount;
    return mount->inode(mount->fs().root_inode());
}

Result<void> ext2_sync_all(bool unmount)
{
    Result<void> first_error;
    for (Ext2Mount* mount = g_mounts; mount; mount = mount->next) {
        auto result = mount->sync(unmount);
        if (result.is_error()) {
            klog("ext2 %s: sync failed: %s", mount->label(), errno_name(result.error()));
            if (!first_error.is_error())
                first_error = result.error();
        }
    }
    return first_error;
}

usize ext2_drop_clean_metadata()
{
    usize dropped = 0;
    for (Ext2Mount* mount = g_mounts; mount; mount = mount->next)
        dropped += mount->fs().drop_clean_metadata();
    return dropped;
}

Result<void> ext2_sync_metadata()
{
    Result<void> first_error;
    for (Ext2Mount* mount = g_mounts; mount; mount = mount->next) {
        auto result = mount->fs().sync();
        if (result.is_error() && !first_error.is_error())
            first_error = result.error();
    }
    return first_error;
}

void ext2_release_unused_inodes()
{
    for (Ext2Mount* mount = g_mounts; mount; mount = mount->next)
        mount->release_unused();
}
