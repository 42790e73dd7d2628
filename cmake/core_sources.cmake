# The VM core: code with no hardware access, compiled into the kernel and into host tests.
# kernel/lib and kernel/mm entirely; from other folders only the files listed.
file(GLOB PAGODA_CORE_SOURCES CONFIGURE_DEPENDS
    ${CMAKE_SOURCE_DIR}/kernel/lib/*.cpp
    ${CMAKE_SOURCE_DIR}/kernel/mm/*.cpp
    ${CMAKE_SOURCE_DIR}/kernel/fs/ext2/*.cpp
)
list(APPEND PAGODA_CORE_SOURCES
    # (hardware-free files from kernel/proc and kernel/fs are added here)
    ${CMAKE_SOURCE_DIR}/kernel/proc/elf.cpp
    ${CMAKE_SOURCE_DIR}/kernel/proc/initial_stack.cpp
    ${CMAKE_SOURCE_DIR}/kernel/proc/oom_policy.cpp
    ${CMAKE_SOURCE_DIR}/kernel/proc/futex_table.cpp
    ${CMAKE_SOURCE_DIR}/kernel/proc/shm_segment.cpp
    ${CMAKE_SOURCE_DIR}/kernel/fs/cpio.cpp
    ${CMAKE_SOURCE_DIR}/kernel/fs/pipe_ring.cpp
    # A datagram socket's receive queue (unix_socket.cpp, which sleeps, is not).
    ${CMAKE_SOURCE_DIR}/kernel/fs/message_queue.cpp
    # File locks: the range, whole-file, lease and wait-for logic (file_lock.cpp, which sleeps, is not).
    ${CMAKE_SOURCE_DIR}/kernel/fs/record_lock_list.cpp
    ${CMAKE_SOURCE_DIR}/kernel/fs/whole_file_lock_list.cpp
    ${CMAKE_SOURCE_DIR}/kernel/fs/lock_wait_graph.cpp
    ${CMAKE_SOURCE_DIR}/kernel/fs/lease_list.cpp
    # The terminal's line discipline (the console drives it).
    ${CMAKE_SOURCE_DIR}/kernel/fs/line_discipline.cpp
    # The x86 page table reaches memory and the CPU through interfaces (PhysicalAccess,
    # X86Mmu), so the code that shares, copies and frees leaf tables is host-tested too.
    ${CMAKE_SOURCE_DIR}/kernel/arch/x86_64/x86_page_table.cpp
    ${CMAKE_SOURCE_DIR}/kernel/arch/x86_64/x86_table_sharing.cpp
)
