// The character devices Pagoda has, by number (Linux's Documentation/admin-guide/devices.txt):
// what opening a node of that number gives, whether the node is in /dev or was made by
// mknod on any file system.
#pragma once

#include "file.h"
#include "kernel/lib/device_number.h"

constexpr DeviceNumber DEVICE_NULL { 1, 3 }, DEVICE_ZERO { 1, 5 }, DEVICE_RANDOM { 1, 8 }, DEVICE_URANDOM { 1, 9 },
    DEVICE_TTY { 5, 0 }, DEVICE_CONSOLE { 5, 1 };

// NoDeviceOrAddress (ENXIO) for a number no driver has.
Result<RefPtr<File>> open_character_device(DeviceNumber);
