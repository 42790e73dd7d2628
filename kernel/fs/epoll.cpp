#include "epoll.h"
#include "kernel/lib/memory.h"

namespace {

constexpr u32 PRIVATE_BITS = EPOLL_EXCLUSIVE | EPOLL_WAKEUP | EPOLL_ONESHOT | EPOLL_ET;

void link_to_file(EpollItem& item)
{
    OpenFile& file = *item.file;
    item.next_of_file = file.epoll_items;
    if (file.epoll_items)
        file.epoll_items->prev_of_file = &item;
    file.epoll_items = &item;
}

void unlink_from_file(EpollItem& item)
{
    if (item.prev_of_file)
        item.prev_of_file->next_of_file = item.next_of_file;
    else
        item.file->epoll_items = item.next_of_file;
    if (item.next_of_file)
        item.next_of_file->prev_of_file = item.prev_of_file;
}

}

Result<RefPtr<File>> EpollInstance::create()
{
    auto* instance = new (std::nothrow) EpollInstance;
    if (!instance)
        return Errno::NoMemory;
    return adopt_ref<File>(instance);
}

EpollInstance::~EpollInstance()
{
    while (EpollItem* item = m_items.first())
        remove(*item);
}

void EpollInstance::stat(LinuxStat& out) const
{
    // An anonymous inode, as Linux's anon_inode:[eventpoll]: no type bits, owner read/write.
    out = {};
    out.st_mode = 0600;
    out.st_nlink = 1;
    out.st_blksize = 4096;
}

EpollItem* EpollInstance::find(int fd, OpenFile const& file)
{
    for (EpollItem& item : m_items)
        if (item.fd == fd && item.file == &file)
            return &item;
    return nullptr;
}

void EpollInstance::remove(EpollItem& item)
{
    m_items.remove(item);
    --m_count;
    unlink_from_file(item);
    delete &item; // its WaitSet lets go of the file's queues
}

u32 EpollInstance::ready_events(EpollItem& item, bool report)
{
    if (!(item.events & ~PRIVATE_BITS))
        return 0; // a one-shot item already reported
    bool edge = item.events & EPOLL_ET;
    if (edge && !item.woken)
        item.woken = item.watches.take_notification();
    if (edge && !item.woken)
        return 0;
    // Asked with the item's own watches: a file whose queues depend on its state keeps
    // them all watched (watch() ignores a queue it has).
    u32 events = item.file->file().poll(&item.watches) & (item.events & ~PRIVATE_BITS);
    if (events && report) {
        // What woke the file so far is what this report covers.
        item.woken = false;
        (void)item.watches.take_notification();
        if (item.events & EPOLL_ONESHOT)
            item.events &= PRIVATE_BITS;
    }
    return events;
}

u32 EpollInstance::poll(WaitSet* waiter)
{
    if (waiter)
        waiter->watch(m_activity);
    for (EpollItem& item : m_items)
        if (ready_events(item, false))
            return POLL_IN | POLL_RDNORM;
    return 0;
}

usize EpollInstance::collect(EpollEvent* out, usize capacity, WaitSet* watcher)
{
    // Watched before the items are asked, so a wake-up between the two is not lost.
    if (watcher)
        watcher->watch(m_activity);
    // Round robin: each item asked goes to the back, so when more are ready than fit,
    // the next call starts with the ones this call did not reach (Linux requeues
    // level-triggered items at the tail of its ready list).
    usize found = 0;
    for (usize asked = 0, total = m_count; asked < total && found < capacity; ++asked) {
        EpollItem& item = *m_items.first();
        m_items.remove(item);
        m_items.append(item);
        if (u32 events = ready_events(item, true))
            out[found++] = { events, item.data };
    }
    return found;
}

bool EpollInstance::would_loop(EpollInstance& inner, int depth) const
{
    if (&inner == this || depth > EPOLL_MAX_NESTING)
        return true;
    for (EpollItem& item : inner.m_items)
        if (EpollInstance* nested = item.file->file().epoll(); nested && would_loop(*nested, depth + 1))
            return true;
    return false;
}

Result<void> EpollInstance::control(int op, int fd, OpenFile& file, EpollEvent const& event)
{
    if (op == EPOLL_CTL_ADD && file.file().epoll() && would_loop(*file.file().epoll(), 1))
        return Errno::Loop;
    EpollItem* item = find(fd, file);
    // EPOLLERR and EPOLLHUP are always reported, asked for or not.
    u32 events = event.events | POLL_ERR | POLL_HUP;
    switch (op) {
    case EPOLL_CTL_ADD: {
        if (item)
            return Errno::Exists;
        item = new (std::nothrow) EpollItem { this, fd, &file, events, event.data };
        if (!item)
            return Errno::NoMemory;
        item->watches.forward_to(&m_activity);
        item->watches.set_exclusive(events & EPOLL_EXCLUSIVE);
        m_items.append(*item);
        ++m_count;
        link_to_file(*item);
        (void)file.file().poll(&item->watches);
        if (item->watches.out_of_memory()) {
            remove(*item);
            return Errno::NoMemory;
        }
        m_activity.wake_all(); // a waiter asks again: the new item may be ready
        return {};
    }
    case EPOLL_CTL_DEL:
        if (!item)
            return Errno::NoEntry;
        remove(*item);
        return {};
    case EPOLL_CTL_MOD:
        if (!item)
            return Errno::NoEntry;
        if (item->events & EPOLL_EXCLUSIVE)
            return Errno::Invalid;
        item->events = events;
        item->data = event.data;
        item->woken = true; // asked again at once, as Linux checks readiness on a change
        m_activity.wake_all();
        return {};
    default:
        return Errno::Invalid;
    }
}

void release_epoll_items(OpenFile& file)
{
    while (EpollItem* item = file.epoll_items)
        item->instance->remove(*item);
}
