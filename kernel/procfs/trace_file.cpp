#include "trace_file.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/proc/vm_trace_process.h"
#include "proc_file_stat.h"

namespace {

// 64 MiB of kernel heap at most: a write here must not be able to take all of memory.
constexpr u64 MAX_RECORDS = 1024 * 1024;

class VmTraceFile final : public File {
public:
    explicit VmTraceFile(bool for_writing) : m_for_writing(for_writing) { }

    Result<usize> read(u8* buffer, usize count, u64) override
    {
        usize done = 0;
        while (done < count) {
            if (m_line_offset == m_line_length) {
                if (!next_line())
                    break;
            }
            usize n = min<usize>(count - done, m_line_length - m_line_offset);
            memcpy(buffer + done, m_line + m_line_offset, n);
            m_line_offset += n;
            done += n;
        }
        return done;
    }

    Result<usize> write(u8 const* buffer, usize count, u64) override
    {
        if (!m_for_writing)
            return Errno::BadFd;
        char command[32] {};
        memcpy(command, buffer, min<usize>(count, sizeof command - 1));
        for (char* c = command; *c; ++c)
            if (*c == '\n')
                *c = '\0';
        if (strcmp(command, "off") == 0) {
            vm_trace_switch_off();
            return count;
        }
        if (strncmp(command, "on", 2) != 0 || (command[2] != '\0' && command[2] != ' ')) {
            klog("/proc/pagoda/trace: unknown command \"%s\" (on [RECORDS], off): EINVAL", command);
            return Errno::Invalid;
        }
        u64 records = 0;
        for (char const* c = command + 2; *c; ++c) {
            if (*c == ' ')
                continue;
            if (*c < '0' || *c > '9')
                return Errno::Invalid;
            records = records * 10 + u64(*c - '0');
        }
        if (records == 0)
            records = VM_TRACE_DEFAULT_RECORDS;
        if (records < 1024 || records > MAX_RECORDS)
            return Errno::Invalid;
        TRY(vm_trace_switch_on(records));
        return count;
    }

    void stat(LinuxStat& out) const override { proc_file_stat(out, 0600); }
    bool is_seekable() const override { return false; }

private:
    bool next_line()
    {
        m_line_offset = 0;
        m_line_length = 0;
        if (!vm_trace_next_line(m_line, sizeof m_line - 1))
            return false;
        m_line_length = strlen(m_line);
        m_line[m_line_length++] = '\n';
        return true;
    }

    bool m_for_writing;
    char m_line[256];
    usize m_line_offset { 0 };
    usize m_line_length { 0 };
};

}

Result<RefPtr<File>> open_vm_trace_file(bool for_writing)
{
    auto* file = new (std::nothrow) VmTraceFile(for_writing);
    if (!file)
        return Errno::NoMemory;
    return adopt_ref<File>(file);
}
