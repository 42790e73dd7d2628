// Inode: one file-system object (file, directory, symbolic link, device) as the VFS sees it.
// Each file system subclasses it; operations a kind of inode does not have return the Linux
// error for them (NotDirectory, Invalid, ...). Regular files keep their bytes in a PageCache
// (kernel/mm), which this inode serves as the Pager for: read(), write() and mmap() all go
// through that one cache.
#pragma once

#include "file.h"
#include "inode_attributes.h"
#include "kernel/lib/device_number.h"
#include "kernel/lib/function_ref.h"
#include "kernel/mm/page_cache.h"
#include "kernel/mm/pager.h"

struct Name {
    char const* characters;
    usize length;
};

// One directory entry reported by read_directory; the callback returns false to stop.
using DirectoryVisitor = FunctionRef<bool(Name name, u64 inode_number, u8 type)>;
// d_type values of getdents64.
constexpr u8 DT_UNKNOWN = 0, DT_CHR = 2, DT_BLK = 6, DT_DIR = 4, DT_REG = 8, DT_LNK = 10, DT_FIFO = 1, DT_SOCK = 12;

// The type a new file gets from create()'s mode: its type bits, or regular without any.
constexpr u32 type_of_new_file(u32 mode) { return (mode & MODE_TYPE_MASK) ? (mode & MODE_TYPE_MASK) : MODE_REGULAR; }

class Inode : public RefCounted<Inode>, public Pager {
public:
    virtual ~Inode();

    virtual u64 number() const = 0;
    virtual u64 device() const = 0;
    virtual void stat(LinuxStat&) = 0;
    // st_mode: the file type and permission bits, without the rest of a stat(). Path walks
    // ask it of every component, so each file system answers from what it keeps at hand.
    virtual u32 mode() = 0;
    bool is_directory() { return (mode() & MODE_TYPE_MASK) == MODE_DIRECTORY; }
    bool is_regular() { return (mode() & MODE_TYPE_MASK) == MODE_REGULAR; }
    bool is_symlink() { return (mode() & MODE_TYPE_MASK) == MODE_SYMLINK; }

    // Directories.
    virtual Result<RefPtr<Inode>> lookup(Name) { return Errno::NotDirectory; }
    // New entries: `mode` holds the permission bits (and set-ID bits) the VFS decided, and
    // `owner` whose the inode is (attributes.h, owner_for_new_inode). create makes a regular
    // file when `mode` has no type bits or MODE_REGULAR (open's O_CREAT), else the FIFO or
    // socket node its type bits name (mknod).
    virtual Result<RefPtr<Inode>> create(Name, u32 /*mode*/, InodeOwner) { return Errno::NotDirectory; }
    // mknod of a character or block device node (`mode` has its type); a file system that
    // cannot hold one says NotPermitted.
    virtual Result<RefPtr<Inode>> create_device(Name, u32 /*mode*/, DeviceNumber, InodeOwner) { return Errno::NotPermitted; }
    // A device node's number (st_rdev; what open() reaches); {0, 0} for other files.
    virtual DeviceNumber device_number() { return {}; }
    virtual Result<RefPtr<Inode>> make_directory(Name, u32 /*mode*/, InodeOwner) { return Errno::NotDirectory; }
    virtual Result<void> make_symlink(Name, char const* /*target*/, InodeOwner) { return Errno::NotDirectory; }
    virtual Result<void> link(Name, Inode& /*target*/) { return Errno::NotDirectory; }
    virtual Result<void> unlink(Name) { return Errno::NotDirectory; }
    virtual Result<void> remove_directory(Name) { return Errno::NotDirectory; }
    // Moves entry `from` of this directory to `to` in `target` (same file system).
    virtual Result<void> rename(Name /*from*/, Inode& /*target*/, Name /*to*/) { return Errno::NotDirectory; }
    virtual Result<void> read_directory(u64& /*cookie*/, DirectoryVisitor) { return Errno::NotDirectory; }

    // Symbolic links.
    virtual Result<usize> read_link(char*, usize) { return Errno::Invalid; }
    // A "magic" link (/proc/<pid>/fd/N) names an open file rather than a path: following it
    // reaches that file's inode, or for a pipe or the console the open file itself (vfs.h).
    virtual RefPtr<OpenFile> file_behind_link() { return nullptr; }

    // Metadata (inode_attributes.h). The owner, for permission checks; root by default.
    virtual InodeOwner owner() { return {}; }
    // Applies a change of attributes that the VFS has already checked (fs/attributes.cpp):
    // what chmod, chown and utimensat do. ReadOnlyFs on read-only media; NotPermitted where
    // the file system keeps no such attribute.
    virtual Result<void> change_attributes(AttributeChange const&) { return Errno::NotPermitted; }
    // The time updates a read, a write or a change of names implies. Memory-only and
    // generated inodes without times ignore them.
    virtual void update_times(TimeUpdate) { }
    // Media that cannot be written (the initramfs): changes fail with ReadOnlyFs.
    virtual bool is_read_only() { return false; }
    // statfs(2): sizes and free counts of the file system this inode is on. tmpfs and ext2
    // count their space; /proc, /dev and the initramfs have none (statfs_without_storage).
    virtual Result<void> statfs(LinuxStatfs&) { return Errno::NoSys; }

    // The file's seals (file_seals.h), where it keeps them: only tmpfs's regular files
    // (memfds among them) have any; every other file answers null (it cannot be sealed).
    virtual u32* seal_word() { return nullptr; }

    // Opening: regular files get an InodeFile over the page cache; devices and /proc files
    // override this to return their own File.
    virtual Result<RefPtr<File>> open(int flags);

    // Regular files. The cache is created on first use and lives as long as the inode; its
    // pages count against page_limit() if the file system has one (tmpfs: page_limit.h).
    Result<RefPtr<PageCache>> page_cache();
    virtual RefPtr<PageLimit> page_limit() { return {}; }
    virtual Result<void> truncate(u64 size);
    // fallocate(2), for a file whose pages are its only storage (tmpfs, memfd: Linux's
    // shmem): allocate gives every page of the range a (zero) frame now, so a later store
    // cannot fail for want of space, and grows the size to the range's end unless
    // `keep_size`; NoSpace up front when the file system's page limit cannot hold the pages
    // missing. punch_hole frees the range's pages (they read as zeros again). A file on a
    // disk gets NotSupported (EOPNOTSUPP), as Linux's ext2, which has no fallocate, answers.
    Result<void> allocate(u64 offset, u64 length, bool keep_size);
    Result<void> punch_hole(u64 offset, u64 length);
    // Writes the file's dirty pages and metadata to stable storage (fsync).
    virtual Result<void> sync();
    // Asked of a mount's root by sync(2): writes every file's dirty pages of this file
    // system, then its metadata. A file system without storage has nothing to write.
    virtual Result<void> sync_file_system() { return {}; }
    // Asked of a mount's root by umount2(2) after the VFS dropped its own reference: writes
    // everything and lets go of the file system; Busy (and nothing changed) while any of its
    // files is still open or mapped. A file system in memory only has nothing to do.
    virtual Result<void> unmount_file_system() { return {}; }
    // Asked of a mount's root by mount(2) with MS_REMOUNT: becomes read-only or read-write.
    virtual Result<void> remount_file_system(bool /*read_only*/) { return Errno::Invalid; }
    // The size the file system has on record, used to start the page cache.
    virtual u64 stored_size() = 0;
    // Called by the page cache when the file's size changes (write past the end, truncate).
    virtual Result<void> store_size(u64) { return {}; }
    // Called after write() put bytes [offset, offset+length) in the cache: a disk file
    // system allocates their blocks now (NoSpace fails the write), as ext2 does.
    virtual Result<void> reserve_storage(u64 /*offset*/, u64 /*length*/) { return {}; }

    // Who may write the file: Linux's i_writecount. Positive, it counts the open files that
    // may write it; negative, the running programs whose executable it is, which deny
    // writing (ETXTBSY, "text file busy", a name from when program code was called text).
    // Each side fails with TextBusy while the other holds the file.
    Result<void> get_write_access();
    void put_write_access();
    Result<void> deny_write_access();
    void allow_write_access();
    i32 write_count() const { return m_write_count; }
    // Open files of it that may only read (Linux's i_readcount), kept by InodeFile: a write
    // lease (file_lock.h) is refused while anyone else has the file open.
    u32 read_only_opens() const { return m_read_only_opens; }
    void note_read_only_open() { ++m_read_only_opens; }
    void note_read_only_close() { --m_read_only_opens; }

    // Pager: how the page cache reads and writes this file's pages. Defaults suit
    // memory-only file systems (tmpfs): zero pages, nothing to write, never evicted.
    Result<void> read_page(u64 index, u8* page) override;
    Result<void> write_page(u64 index, u8 const* page, usize valid_bytes) override;
    bool is_backed() const override { return false; }
    Result<void> may_punch_hole() override; // not under a write seal (file_seals.h)

protected:
    RefPtr<PageCache> m_page_cache;

private:
    i32 m_write_count { 0 }; // see get_write_access
    u32 m_read_only_opens { 0 };
};

// A running program's hold on its executable file (Inode::deny_write_access), which keeps
// it from being opened for writing or truncated while the program runs. exec takes one,
// fork gives the child its own, exit and the next exec drop it — as Linux holds one for
// each address space's exe_file.
class ExecutableHold {
public:
    ExecutableHold() = default;
    // TextBusy if the file is open for writing.
    static Result<ExecutableHold> take(RefPtr<Inode>);
    // Another hold on the same file; cannot fail, since this one already keeps writers out.
    ExecutableHold duplicate() const;
    ExecutableHold(ExecutableHold&& other) : m_inode(static_cast<RefPtr<Inode>&&>(other.m_inode)) { }
    ExecutableHold& operator=(ExecutableHold&&);
    ExecutableHold(ExecutableHold const&) = delete;
    ~ExecutableHold() { release(); }
    void release();

private:
    explicit ExecutableHold(RefPtr<Inode> inode) : m_inode(static_cast<RefPtr<Inode>&&>(inode)) { }
    RefPtr<Inode> m_inode;
};

// An open regular file: reads and writes go through the inode's page cache.
// What statfs reports for a file system that stores nothing (Linux's proc, devtmpfs and
// ramfs report the same way): its magic number, no blocks and no inode counts, so that df
// leaves it out.
void statfs_without_storage(LinuxStatfs&, i64 magic);

class InodeFile final : public File {
public:
    // `for_writing`: the open file may write, so it holds write access to the inode
    // (Inode::get_write_access) until it is closed; TextBusy if a running program denies it.
    enum class ForWriting {
        No,
        Yes
    };
    static Result<RefPtr<File>> create(RefPtr<Inode>, ForWriting = ForWriting::No);
    ~InodeFile() override;
    Result<usize> read(u8* buffer, usize count, u64 offset) override;
    Result<usize> write(u8 const* buffer, usize count, u64 offset) override;
    void stat(LinuxStat& out) const override { m_inode->stat(out); }
    u64 size() const override;
    Inode* inode() override { return m_inode.ptr(); }
    // Straight between the page cache and the user's pages: one copy, no bounce buffer.
    Result<usize> read_to_user(UserIo const&) override;
    Result<usize> write_from_user(UserIo const&) override;

private:
    explicit InodeFile(RefPtr<Inode> inode, RefPtr<PageCache> cache, ForWriting for_writing)
        : m_inode(inode), m_cache(cache), m_for_writing(for_writing)
    { }
    // write() and write_from_user(): `give` fills the cache's pieces (done: bytes so far).
    Result<usize> write_in_slices(u64 offset, usize count, FunctionRef<Result<usize>(u8*, usize, usize)> give);
    // After bytes [offset, offset+written) went into the cache: size, storage.
    Result<usize> finish_write(u64 old_size, u64 offset, usize written);
    RefPtr<Inode> m_inode;
    RefPtr<PageCache> m_cache;
    ForWriting m_for_writing;
};

// A file system's identity for stat's st_dev, handed out in mount order.
u64 allocate_device_number();
