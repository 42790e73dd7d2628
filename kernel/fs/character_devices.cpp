#include "character_devices.h"
#include "console.h"
#include "kernel/dev/random.h"
#include "kernel/lib/memory.h"
#include "loop_device.h"

namespace {

// Reads nothing (null) or zeros (zero); swallows writes.
class NullDevice final : public File {
public:
    explicit NullDevice(bool zeros) : m_zeros(zeros) { }
    Result<usize> read(u8* buffer, usize count, u64) override
    {
        if (!m_zeros)
            return 0;
        memset(buffer, 0, count);
        return count;
    }
    Result<usize> write(u8 const*, usize count, u64) override { return count; }
    void stat(LinuxStat& out) const override
    {
        out = {};
        out.st_mode = MODE_CHARACTER_DEVICE | 0666;
        out.st_rdev = encode_dev_t(m_zeros ? DEVICE_ZERO : DEVICE_NULL);
        out.st_nlink = 1;
    }
    bool is_seekable() const override { return false; }
    bool maps_as_anonymous_memory() const override { return m_zeros; }

private:
    bool m_zeros;
};

// /dev/random and /dev/urandom: the bytes getrandom() gives (kernel/dev/random.h), never
// blocking, as Linux's since 5.6 once its pool is ready; what is written is taken and, since
// this generator has no pool to mix it into, dropped.
class RandomDevice final : public File {
public:
    explicit RandomDevice(u32 minor) : m_minor(minor) { }
    Result<usize> read(u8* buffer, usize count, u64) override
    {
        random_fill(buffer, count);
        return count;
    }
    Result<usize> write(u8 const*, usize count, u64) override { return count; }
    void stat(LinuxStat& out) const override
    {
        out = {};
        out.st_mode = MODE_CHARACTER_DEVICE | 0666;
        out.st_rdev = encode_dev_t({ 1, m_minor });
        out.st_nlink = 1;
    }
    bool is_seekable() const override { return false; }

private:
    u32 m_minor;
};

}

Result<RefPtr<File>> open_character_device(DeviceNumber number)
{
    File* file = nullptr;
    if (number == DEVICE_NULL || number == DEVICE_ZERO)
        file = new (std::nothrow) NullDevice(number == DEVICE_ZERO);
    else if (number == DEVICE_RANDOM || number == DEVICE_URANDOM)
        file = new (std::nothrow) RandomDevice(number.minor);
    else if (number == DEVICE_CONSOLE || number == DEVICE_TTY)
        return Console::the();
    else if (number == DEVICE_LOOP_CONTROL)
        return open_loop_control();
    else
        return Errno::NoDeviceOrAddress; // no driver has that number: ENXIO, as Linux
    if (!file)
        return Errno::NoMemory;
    return adopt_ref<File>(file);
}
