// File: something a file descriptor can refer to (the console, a file of the initramfs, a
// generated /proc file). OpenFile is an open file description: a File plus the offset and
// status flags that dup() and fork() share.
#pragma once

#include "kernel/lib/ref_counted.h"
#include "kernel/lib/result.h"
#include "kernel/lib/types.h"
#include "record_lock_list.h"

// struct stat as the Linux x86_64 ABI lays it out (144 bytes).
struct LinuxStat {
    u64 st_dev;
    u64 st_ino;
    u64 st_nlink;
    u32 st_mode;
    u32 st_uid;
    u32 st_gid;
    u32 pad0;
    u64 st_rdev;
    i64 st_size;
    i64 st_blksize;
    i64 st_blocks;
    u64 st_atime, st_atime_nsec;
    u64 st_mtime, st_mtime_nsec;
    u64 st_ctime, st_ctime_nsec;
    i64 reserved[3];
};
static_assert(sizeof(LinuxStat) == 144);

// struct statfs of Linux x86_64 (statfs(2), fstatfs(2)): a file system's sizes and counts.
struct LinuxStatfs {
    i64 f_type; // the file system's magic number (TMPFS_MAGIC, EXT2_SUPER_MAGIC, ...)
    i64 f_bsize;
    u64 f_blocks, f_bfree, f_bavail; // in f_bsize units
    u64 f_files, f_ffree; // inodes
    i32 f_fsid[2];
    i64 f_namelen;
    i64 f_frsize;
    i64 f_flags; // ST_* mount flags; STATFS_VALID says f_flags is filled
    i64 f_spare[4];
};
static_assert(sizeof(LinuxStatfs) == 120);
constexpr i64 STATFS_VALID = 0x20; // ST_VALID
constexpr i64 STATFS_READ_ONLY = 0x1; // ST_RDONLY
constexpr i64 TMPFS_MAGIC = 0x01021994;

constexpr u32 MODE_TYPE_MASK = 0170000;
constexpr u32 MODE_REGULAR = 0100000;
constexpr u32 MODE_DIRECTORY = 0040000;
constexpr u32 MODE_CHARACTER_DEVICE = 0020000;
constexpr u32 MODE_BLOCK_DEVICE = 0060000;
constexpr u32 MODE_SYMLINK = 0120000;
constexpr u32 MODE_FIFO = 0010000;
constexpr u32 MODE_SOCKET = 0140000;

class Inode;
class AddressSpace;
class EpollInstance;
class WaitSet;
class Pipe;
class UnixSocket;
class BlockDeviceFile;
class LoopControlFile;

// Readiness, as poll(2) reports it (Linux's POLL* bits; select's sets are made from them).
constexpr u32 POLL_IN = 0x001, POLL_PRI = 0x002, POLL_OUT = 0x004, POLL_ERR = 0x008, POLL_HUP = 0x010, POLL_NVAL = 0x020,
              POLL_RDNORM = 0x040, POLL_RDBAND = 0x080, POLL_WRNORM = 0x100, POLL_WRBAND = 0x200, POLL_RDHUP = 0x2000;
// What a file that never makes anyone wait reports: readable and writable (regular files,
// /dev/null, /proc files — Linux's DEFAULT_POLLMASK).
constexpr u32 POLL_ALWAYS_READY = POLL_IN | POLL_OUT | POLL_RDNORM | POLL_WRNORM;

// One read() or write() between a File and user memory: where the bytes go or come from,
// how many, the file position, and whether the caller may wait.
struct UserIo {
    AddressSpace& space;
    u64 buffer; // user address
    usize count;
    u64 offset; // the file position (streams ignore it)
    bool nonblocking; // O_NONBLOCK on the open file: EAGAIN rather than waiting
    bool packets { false }; // O_DIRECT on a pipe: each write is read back as its own packets
};

class File : public RefCounted<File> {
public:
    virtual ~File() = default;
    // Reads up to `count` bytes at `offset` into kernel memory; 0 at end of file. A file
    // whose bytes only ever move to and from user memory (a pipe) overrides read_to_user
    // and write_from_user instead and keeps these defaults (EINVAL: not for kernel buffers).
    virtual Result<usize> read(u8*, usize, u64) { return Errno::Invalid; }
    virtual Result<usize> write(u8 const*, usize, u64) { return Errno::Invalid; }
    virtual void stat(LinuxStat&) const = 0;
    virtual bool is_terminal() const { return false; }
    // Sequential streams (console, pipes) ignore offsets and refuse lseek.
    virtual bool is_seekable() const { return true; }
    virtual u64 size() const { return 0; }
    // The inode behind a file of a file system (regular files, directories), or nullptr.
    virtual Inode* inode() { return nullptr; }
    // True for /dev/zero, whose mappings are anonymous memory (mmap: private zero pages,
    // or a fresh region of shared anonymous memory), as Linux's mmap_zero makes them.
    virtual bool maps_as_anonymous_memory() const { return false; }

    // read()/write() between the file and user memory. Partial progress is a count, as on
    // Linux: only a call that moved no byte returns an error (EFAULT for a buffer that
    // faults at once), and nothing a stream gave up is lost. A read from a stream (pipe,
    // console) returns as soon as it has some bytes. The default goes through a bounce
    // buffer on the kernel stack, 4 KiB at a time, which suits files whose read() has no
    // side effect; regular files copy straight between the page cache and the user's pages
    // (InodeFile), and streams take from their buffers only what reached the user.
    virtual Result<usize> read_to_user(UserIo const&);
    virtual Result<usize> write_from_user(UserIo const&);

    // The POLL_* events true now. With a `waiter`, also watches the wait queues woken when
    // they may change, so that poll() sleeps until then (a file that can make a reader or
    // writer wait must watch the queue its wake-ups go to). The default never waits.
    virtual u32 poll(WaitSet* /*waiter*/) { return POLL_ALWAYS_READY; }
    // Whether readiness can change, so that waiting for it means something: true for the
    // files that override poll(). epoll refuses the others with EPERM, as Linux refuses a
    // file without a poll operation (a regular file, a directory, /dev/null).
    virtual bool is_pollable() const { return false; }
    // The pipe behind a pipe end (fcntl's F_GETPIPE_SZ/F_SETPIPE_SZ), or nullptr.
    virtual Pipe* pipe() { return nullptr; }
    // The epoll instance this file is (epoll.h), or nullptr.
    virtual EpollInstance* epoll() { return nullptr; }
    // The socket this file is (unix_socket.h), or nullptr: the socket calls refuse other
    // files with ENOTSOCK.
    virtual UnixSocket* unix_socket() { return nullptr; }
    // Whether a write that fails with EPIPE raises SIGPIPE: a pipe's and a stream socket's
    // do; a datagram or seqpacket socket's do not, as on Linux.
    virtual bool signals_broken_pipe() const { return true; }
    // An open block-device node (block_devices.h), or nullptr: its ioctls and fsync.
    virtual BlockDeviceFile* block_device_file() { return nullptr; }
    // /dev/loop-control (loop_device.h), or nullptr.
    virtual LoopControlFile* loop_control() { return nullptr; }
};

// Linux open(2) flags that matter here.
constexpr int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
constexpr int O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000;
constexpr int O_NONBLOCK = 04000, O_ASYNC = 020000, O_DIRECT = 040000, O_LARGEFILE = 0100000, O_DIRECTORY = 0200000,
              O_NOFOLLOW = 0400000, O_NOATIME = 01000000, O_CLOEXEC = 02000000, O_PATH = 010000000;
// O_PATH opens a name, not a file: the descriptor can be a directory for *at(), be fstat'ed,
// fchdir'ed to, dup'ed and closed, but not read, written, mapped or changed (EBADF). These
// are the only flags such an open keeps, as on Linux; the others are dropped silently.
constexpr int O_PATH_FLAGS = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;

struct EpollItem;

class OpenFile : public RefCounted<OpenFile> {
public:
    OpenFile(RefPtr<File> file, int flags) : m_file(static_cast<RefPtr<File>&&>(file)), m_flags(flags) { }
    // The last reference going is the last close: the OFD and flock locks go with it.
    ~OpenFile();
    // The normalized path it was opened by, for openat(dirfd, ...) and /proc; may be null.
    char const* path() const { return m_path ? m_path : ""; }
    void set_path(char* path_from_new) { m_path = path_from_new; }
    File& file() const { return *m_file; }
    int flags() const { return m_flags; }
    void set_flags(int flags) { m_flags = flags; }
    bool is_path_only() const { return m_flags & O_PATH; }
    bool can_read() const { return !is_path_only() && (m_flags & O_ACCMODE) != O_WRONLY; }
    bool can_write() const { return !is_path_only() && (m_flags & O_ACCMODE) != O_RDONLY; }
    bool is_nonblocking() const { return m_flags & O_NONBLOCK; }
    bool is_direct() const { return m_flags & O_DIRECT; }
    // The owner of its open-file-description (F_OFD_SETLK) and flock locks.
    LockOwner lock_owner() const { return LockOwner { this }; }
    u64 offset { 0 };
    // The epoll registrations of this description (epoll.h): they end when it does, as
    // Linux's eventpoll_release, so closing the last descriptor of a file unregisters it.
    EpollItem* epoll_items { nullptr };

private:
    RefPtr<File> m_file;
    int m_flags;
    char* m_path { nullptr };
};
