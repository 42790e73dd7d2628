// Prototypes of every sys_<name> in syscalls.def. Arguments arrive as the registers
// rdi, rsi, rdx, r10, r8, r9 converted to the parameter types; the Result's error becomes
// -errno in the dispatcher (table.cpp), the only place that conversion happens.
#pragma once

#include "user_memory.h"

// Files and the console (sys_file.cpp)
Result<i64> sys_read(int fd, UserAddress buffer, u64 count);
Result<i64> sys_write(int fd, UserAddress buffer, u64 count);
Result<i64> sys_pread64(int fd, UserAddress buffer, u64 count, i64 offset);
Result<i64> sys_pwrite64(int fd, UserAddress buffer, u64 count, i64 offset);
Result<i64> sys_readv(int fd, UserAddress iov, int count);
Result<i64> sys_writev(int fd, UserAddress iov, int count);
Result<i64> sys_open(UserAddress path, int flags, u32 mode);
Result<i64> sys_openat(int dirfd, UserAddress path, int flags, u32 mode);
Result<i64> sys_close(int fd);
Result<i64> sys_lseek(int fd, i64 offset, int whence);
Result<i64> sys_ioctl(int fd, u64 request, UserAddress argument);
Result<i64> sys_pipe(UserAddress fds);
Result<i64> sys_pipe2(UserAddress fds, int flags);
Result<i64> sys_dup(int fd);
Result<i64> sys_epoll_create(int size);
Result<i64> sys_epoll_create1(int flags);
Result<i64> sys_epoll_ctl(int epfd, int op, int fd, UserAddress event);
Result<i64> sys_epoll_wait(int epfd, UserAddress events, int max_events, int timeout_ms);
Result<i64> sys_epoll_pwait(int epfd, UserAddress events, int max_events, int timeout_ms, UserAddress mask, u64 mask_size);
Result<i64> sys_epoll_pwait2(int epfd, UserAddress events, int max_events, UserAddress timeout, UserAddress mask, u64 mask_size);
Result<i64> sys_close_range(u32 first, u32 last, u32 flags);
Result<i64> sys_dup2(int old_fd, int new_fd);
Result<i64> sys_dup3(int old_fd, int new_fd, int flags);
Result<i64> sys_fcntl(int fd, int command, u64 argument);
// File locks (sys_lock.cpp): flock, and the record-lock and lease commands of fcntl, which sys_fcntl hands on.
Result<i64> sys_flock(int fd, u32 operation);
Result<i64> fcntl_file_lock(int fd, OpenFile&, int command, UserAddress argument);
Result<i64> sys_creat(UserAddress path, u32 mode);
Result<i64> sys_ftruncate(int fd, i64 length);
Result<i64> sys_fsync(int fd);
Result<i64> sys_fdatasync(int fd);
Result<i64> sys_sync();
Result<i64> sys_getdents64(int fd, UserAddress buffer, u64 size);
// FIFOs and other nodes (sys_mknod.cpp)
Result<i64> sys_mknod(UserAddress path, u32 mode, u32 device);
Result<i64> sys_mknodat(int dirfd, UserAddress path, u32 mode, u32 device);
// Waiting for descriptors (sys_poll.cpp, sys_select.cpp)
Result<i64> sys_poll(UserAddress fds, u32 count, i32 timeout_ms);
Result<i64> sys_ppoll(UserAddress fds, u32 count, UserAddress timeout, UserAddress mask, u64 mask_size);
Result<i64> sys_select(int nfds, UserAddress in, UserAddress out, UserAddress except, UserAddress timeout);
Result<i64> sys_pselect6(int nfds, UserAddress in, UserAddress out, UserAddress except, UserAddress timeout, UserAddress mask);
// Names and metadata (sys_path.cpp)
Result<i64> sys_stat(UserAddress path, UserAddress stat);
Result<i64> sys_lstat(UserAddress path, UserAddress stat);
Result<i64> sys_fstat(int fd, UserAddress stat);
Result<i64> sys_getxattr(UserAddress path, UserAddress name, UserAddress value, u64 size);
Result<i64> sys_lgetxattr(UserAddress path, UserAddress name, UserAddress value, u64 size);
Result<i64> sys_fgetxattr(int fd, UserAddress name, UserAddress value, u64 size);
Result<i64> sys_setxattr(UserAddress path, UserAddress name, UserAddress value, u64 size, int flags);
Result<i64> sys_lsetxattr(UserAddress path, UserAddress name, UserAddress value, u64 size, int flags);
Result<i64> sys_fsetxattr(int fd, UserAddress name, UserAddress value, u64 size, int flags);
Result<i64> sys_removexattr(UserAddress path, UserAddress name);
Result<i64> sys_lremovexattr(UserAddress path, UserAddress name);
Result<i64> sys_fremovexattr(int fd, UserAddress name);
Result<i64> sys_listxattr(UserAddress path, UserAddress list, u64 size);
Result<i64> sys_llistxattr(UserAddress path, UserAddress list, u64 size);
Result<i64> sys_flistxattr(int fd, UserAddress list, u64 size);
Result<i64> sys_fadvise64(int fd, i64 offset, i64 length, int advice);
Result<i64> sys_newfstatat(int dirfd, UserAddress path, UserAddress stat, int flags);
Result<i64> sys_statx(int dirfd, UserAddress path, int flags, u32 mask, UserAddress buffer);
Result<i64> sys_access(UserAddress path, int mode);
Result<i64> sys_faccessat(int dirfd, UserAddress path, int mode);
Result<i64> sys_faccessat2(int dirfd, UserAddress path, int mode, int flags);
Result<i64> sys_readlink(UserAddress path, UserAddress buffer, u64 size);
Result<i64> sys_readlinkat(int dirfd, UserAddress path, UserAddress buffer, u64 size);
Result<i64> sys_getcwd(UserAddress buffer, u64 size);
Result<i64> sys_chdir(UserAddress path);
Result<i64> sys_fchdir(int fd);
Result<i64> sys_mkdir(UserAddress path, u32 mode);
Result<i64> sys_mkdirat(int dirfd, UserAddress path, u32 mode);
Result<i64> sys_unlink(UserAddress path);
Result<i64> sys_unlinkat(int dirfd, UserAddress path, int flags);
Result<i64> sys_rmdir(UserAddress path);
Result<i64> sys_rename(UserAddress old_path, UserAddress new_path);
Result<i64> sys_renameat(int old_dirfd, UserAddress old_path, int new_dirfd, UserAddress new_path);
Result<i64> sys_renameat2(int old_dirfd, UserAddress old_path, int new_dirfd, UserAddress new_path, u32 flags);
Result<i64> sys_link(UserAddress old_path, UserAddress new_path);
Result<i64> sys_linkat(int old_dirfd, UserAddress old_path, int new_dirfd, UserAddress new_path, int flags);
Result<i64> sys_symlink(UserAddress target, UserAddress link_path);
Result<i64> sys_symlinkat(UserAddress target, int dirfd, UserAddress link_path);
Result<i64> sys_truncate(UserAddress path, i64 length);
Result<i64> sys_statfs(UserAddress path, UserAddress buffer);
Result<i64> sys_fstatfs(int fd, UserAddress buffer);
Result<i64> sys_umask(u32 mask);
// Attributes: mode, owner, times (sys_attributes.cpp)
Result<i64> sys_chmod(UserAddress path, u32 mode);
Result<i64> sys_fchmod(int fd, u32 mode);
Result<i64> sys_fchmodat(int dirfd, UserAddress path, u32 mode);
Result<i64> sys_chown(UserAddress path, u32 uid, u32 gid);
Result<i64> sys_fchown(int fd, u32 uid, u32 gid);
Result<i64> sys_lchown(UserAddress path, u32 uid, u32 gid);
Result<i64> sys_fchownat(int dirfd, UserAddress path, u32 uid, u32 gid, int flags);
Result<i64> sys_utime(UserAddress path, UserAddress times);
Result<i64> sys_utimes(UserAddress path, UserAddress times);
Result<i64> sys_futimesat(int dirfd, UserAddress path, UserAddress times);
Result<i64> sys_utimensat(int dirfd, UserAddress path, UserAddress times, int flags);
Result<i64> sys_fallocate(int fd, int mode, i64 offset, i64 length);
// Memory (sys_memory.cpp)
Result<i64> sys_mmap(UserAddress address, u64 length, int prot, int flags, int fd, i64 offset);
Result<i64> sys_munmap(UserAddress address, u64 length);
Result<i64> sys_mprotect(UserAddress address, u64 length, int prot);
Result<i64> sys_brk(UserAddress address);
Result<i64> sys_msync(UserAddress address, u64 length, int flags);
Result<i64> sys_madvise(UserAddress address, u64 length, int advice);
Result<i64> sys_mremap(UserAddress address, u64 old_length, u64 new_length, int flags, UserAddress new_address);
// Locked and resident memory (sys_memory_lock.cpp)
Result<i64> sys_mlock(UserAddress address, u64 length);
Result<i64> sys_mlock2(UserAddress address, u64 length, int flags);
Result<i64> sys_munlock(UserAddress address, u64 length);
Result<i64> sys_mlockall(int flags);
Result<i64> sys_munlockall();
Result<i64> sys_mincore(UserAddress address, u64 length, UserAddress vector);
// Anonymous files (sys_memfd.cpp)
Result<i64> sys_memfd_create(UserAddress name, unsigned flags);
// System V shared memory (sys_shm.cpp)
Result<i64> sys_shmget(i32 key, u64 size, int flags);
Result<i64> sys_shmat(int id, UserAddress address, int flags);
Result<i64> sys_shmdt(UserAddress address);
Result<i64> sys_shmctl(int id, int command, UserAddress buffer);
// The process itself (sys_process.cpp)
Result<i64> sys_exit(int code);
Result<i64> sys_exit_group(int code);
Result<i64> sys_getpid();
Result<i64> sys_getppid();
Result<i64> sys_gettid();
Result<i64> sys_prctl(int option, u64 argument2, u64 argument3, u64 argument4, u64 argument5);
Result<i64> sys_arch_prctl(int code, u64 address);
Result<i64> sys_set_tid_address(UserAddress address);
Result<i64> sys_set_robust_list(UserAddress head, u64 length);
Result<i64> sys_get_robust_list(int tid, UserAddress head_out, UserAddress length_out);
Result<i64> sys_tgkill(int tgid, int tid, int signal);
Result<i64> sys_tkill(int tid, int signal);
Result<i64> sys_uname(UserAddress buffer);
Result<i64> sys_personality(u64 persona);
Result<i64> sys_getrlimit(int resource, UserAddress limit);
Result<i64> sys_setrlimit(int resource, UserAddress limit);
Result<i64> sys_prlimit64(int pid, int resource, UserAddress new_limit, UserAddress old_limit);
Result<i64> sys_rt_sigaction(int signal, UserAddress action, UserAddress old_action, u64 size);
Result<i64> sys_rt_sigprocmask(int how, UserAddress set, UserAddress old_set, u64 size);
Result<i64> sys_rt_sigreturn();
Result<i64> sys_pause();
Result<i64> sys_rt_sigpending(UserAddress set, u64 size);
Result<i64> sys_rt_sigtimedwait(UserAddress set, UserAddress info, UserAddress timeout, u64 size);
Result<i64> sys_rt_sigsuspend(UserAddress mask, u64 size);
Result<i64> sys_rt_sigqueueinfo(i32 pid, int signal, UserAddress info);
Result<i64> sys_rt_tgsigqueueinfo(i32 tgid, i32 tid, int signal, UserAddress info);
Result<i64> sys_sigaltstack(UserAddress new_stack, UserAddress old_stack);
Result<i64> sys_sched_yield();
// Nice values (sys_priority.cpp)
Result<i64> sys_getpriority(int which, int who);
Result<i64> sys_setpriority(int which, int who, int nice);
Result<i64> sys_sched_getaffinity(int pid, u64 length, UserAddress mask);
Result<i64> sys_sched_setaffinity(int pid, u64 length, UserAddress mask);
Result<i64> sys_getrandom(UserAddress buffer, u64 length, u32 flags);
Result<i64> sys_sysinfo(UserAddress buffer);
Result<i64> sys_reboot(u32 magic1, u32 magic2, u32 command, UserAddress argument);
// Credentials (sys_credentials.cpp)
Result<i64> sys_getuid();
Result<i64> sys_syslog(int action, UserAddress buffer, int length);
Result<i64> sys_geteuid();
Result<i64> sys_getgid();
Result<i64> sys_getegid();
Result<i64> sys_setuid(u32 uid);
Result<i64> sys_setgid(u32 gid);
Result<i64> sys_setreuid(u32 real, u32 effective);
Result<i64> sys_setregid(u32 real, u32 effective);
Result<i64> sys_setresuid(u32 real, u32 effective, u32 saved);
Result<i64> sys_setresgid(u32 real, u32 effective, u32 saved);
Result<i64> sys_getresuid(UserAddress real, UserAddress effective, UserAddress saved);
Result<i64> sys_getresgid(UserAddress real, UserAddress effective, UserAddress saved);
Result<i64> sys_capget(UserAddress header, UserAddress data);
Result<i64> sys_capset(UserAddress header, UserAddress data);
Result<i64> sys_setfsuid(u32 uid);
Result<i64> sys_setfsgid(u32 gid);
Result<i64> sys_getgroups(int size, UserAddress list);
Result<i64> sys_setgroups(int size, UserAddress list);
// Processes: creation, replacement, ending, waiting (sys_family.cpp)
Result<i64> sys_fork();
Result<i64> sys_vfork();
Result<i64> sys_clone(u64 flags, UserAddress child_stack, UserAddress parent_tid, UserAddress child_tid, u64 tls);
Result<i64> sys_clone3(UserAddress args, u64 size);
Result<i64> sys_execve(UserAddress path, UserAddress argv, UserAddress envp);
Result<i64> sys_execveat(int dirfd, UserAddress path, UserAddress argv, UserAddress envp, int flags);
Result<i64> sys_wait4(int pid, UserAddress status, int options, UserAddress rusage);
Result<i64> sys_waitid(int type, i32 id, UserAddress info, int options, UserAddress rusage);
Result<i64> sys_kill(int pid, int signal);
// Process groups and sessions (sys_session.cpp)
Result<i64> sys_setpgid(int pid, int pgid);
Result<i64> sys_getpgid(int pid);
Result<i64> sys_getpgrp();
Result<i64> sys_setsid();
Result<i64> sys_getsid(int pid);
// Sockets: AF_UNIX (sys_socket.cpp; sending and receiving in sys_socket_io.cpp)
class UnixSocket;
Result<i64> sys_socket(int domain, int type, int protocol);
Result<i64> sys_socketpair(int domain, int type, int protocol, UserAddress pair);
Result<i64> sys_shutdown(int fd, int how);
Result<i64> sys_getsockopt(int fd, int level, int name, UserAddress value, UserAddress length);
Result<i64> sys_setsockopt(int fd, int level, int name, UserAddress value, u32 length);
Result<i64> sys_getsockname(int fd, UserAddress address, UserAddress length);
Result<i64> sys_getpeername(int fd, UserAddress address, UserAddress length);
Result<i64> sys_connect(int fd, UserAddress address, u32 length);
Result<i64> sys_bind(int fd, UserAddress address, u32 length);
Result<i64> sys_listen(int fd, int backlog);
Result<i64> sys_accept(int fd, UserAddress address, UserAddress length);
Result<i64> sys_accept4(int fd, UserAddress address, UserAddress length, int flags);
Result<i64> sys_sendto(int fd, UserAddress buffer, u64 length, int flags, UserAddress address, u32 address_length);
Result<i64> sys_recvfrom(int fd, UserAddress buffer, u64 length, int flags, UserAddress address, UserAddress address_length);
Result<i64> sys_sendmsg(int fd, UserAddress message, int flags);
Result<i64> sys_recvmsg(int fd, UserAddress message, int flags);
// The socket a description is, or NotSocket.
Result<UnixSocket*> socket_for(OpenFile&);
// readv/writev on a socket (sys_file.cpp hands them on): the whole vector in one call.
Result<i64> socket_vector_io(OpenFile&, UserAddress iov, int count, bool reading);
// futex (sys_futex.cpp)
Result<i64> sys_futex(UserAddress address, int operation, u32 value, UserAddress timeout, UserAddress address2, u32 value3);
Result<i64> sys_futex_waitv(UserAddress waiters, u32 count, u32 flags, UserAddress timeout, int clock);
// Time (sys_time.cpp)
Result<i64> sys_clock_gettime(int clock, UserAddress timespec);
Result<i64> sys_clock_getres(int clock, UserAddress resolution);
Result<i64> sys_getrusage(int who, UserAddress usage);
Result<i64> sys_times(UserAddress buffer);
Result<i64> sys_getcpu(UserAddress cpu, UserAddress node, UserAddress cache);
class Console;
// The TC*/TIOC* requests of ioctl on the console (sys_terminal.cpp).
Result<i64> terminal_ioctl(Console&, u64 request, UserAddress argument);
// The ioctls of a block-device node and of /dev/loop-control (sys_block_ioctl.cpp).
class BlockDeviceFile;
class OpenFile;
Result<i64> block_device_ioctl(BlockDeviceFile&, OpenFile& node, u64 request, UserAddress argument);
Result<i64> loop_control_ioctl(u64 request, UserAddress argument);
// mount(2) and umount2(2) (sys_mount.cpp).
Result<i64> sys_mount(UserAddress source, UserAddress target, UserAddress type, u64 flags, UserAddress data);
Result<i64> sys_umount2(UserAddress target, int flags);
Result<i64> sys_gettimeofday(UserAddress timeval, UserAddress timezone);
Result<i64> sys_time(UserAddress seconds);
Result<i64> sys_nanosleep(UserAddress request, UserAddress remaining);
Result<i64> sys_clock_nanosleep(int clock, int flags, UserAddress request, UserAddress remaining);
Result<i64> sys_alarm(u32 seconds);
Result<i64> sys_setitimer(int which, UserAddress new_value, UserAddress old_value);
Result<i64> sys_getitimer(int which, UserAddress value);
Result<i64> sys_timer_create(int clock, UserAddress event, UserAddress timer_id);
Result<i64> sys_timer_settime(i32 id, int flags, UserAddress new_value, UserAddress old_value);
Result<i64> sys_timer_gettime(i32 id, UserAddress value);
Result<i64> sys_timer_getoverrun(i32 id);
Result<i64> sys_timer_delete(i32 id);
