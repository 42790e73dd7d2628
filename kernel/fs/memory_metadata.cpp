#include "memory_metadata.h"

MemoryMetadata::MemoryMetadata(u32 mode, InodeOwner owner) : m_mode(mode), m_owner(owner)
{
    m_atime = m_mtime = m_ctime = file_time_now();
}

void MemoryMetadata::apply(AttributeChange const& change)
{
    if (change.has(AttributeChange::Mode))
        m_mode = (m_mode & MODE_TYPE_MASK) | (change.mode & 07777);
    if (change.has(AttributeChange::Uid))
        m_owner.uid = change.uid;
    if (change.has(AttributeChange::Gid))
        m_owner.gid = change.gid;
    if (change.has(AttributeChange::Atime))
        m_atime = change.atime;
    if (change.has(AttributeChange::Mtime))
        m_mtime = change.mtime;
    m_ctime = change.ctime;
}

void MemoryMetadata::update_times(TimeUpdate update)
{
    FileTime now = file_time_now();
    switch (update) {
    case TimeUpdate::Access:
        if (relatime_wants_update(m_atime, m_mtime, m_ctime, now))
            m_atime = now;
        return;
    case TimeUpdate::Modify:
        m_mtime = m_ctime = now;
        return;
    case TimeUpdate::Change:
        m_ctime = now;
        return;
    }
}

void MemoryMetadata::fill_stat(LinuxStat& out) const
{
    out.st_mode = m_mode;
    out.st_uid = m_owner.uid;
    out.st_gid = m_owner.gid;
    out.st_atime = static_cast<u64>(m_atime.seconds);
    out.st_atime_nsec = m_atime.nanoseconds;
    out.st_mtime = static_cast<u64>(m_mtime.seconds);
    out.st_mtime_nsec = m_mtime.nanoseconds;
    out.st_ctime = static_cast<u64>(m_ctime.seconds);
    out.st_ctime_nsec = m_ctime.nanoseconds;
}
