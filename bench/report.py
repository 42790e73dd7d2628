#!/usr/bin/env python3
"""The table of tools/bench: reads the vmbench JSON lines of one run (RUN/pagoda.json,
linux.json, native.json), prints figure | unit | Pagoda | Linux [| native] | Pagoda/Linux,
and writes all of it to RESULT (results/bench-DATE-MODE.json). The ratio is a ratio of
times: > 1 means Pagoda is slower (for MB/s figures the values are inverted)."""
import json
import os
import platform
import sys

run = os.environ["RUN"]
env = os.environ.get


def load(name):
    path = os.path.join(run, name + ".json")
    try:
        with open(path) as f:
            text = f.read().strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def qemu_line(name):
    try:
        with open(os.path.join(run, name + ".qemu")) as f:
            return f.read().strip()
    except OSError:
        return None


pagoda, linux, native = load("pagoda"), load("linux"), load("native") if env("NATIVE") == "1" else None
columns = [("Pagoda", pagoda), ("Linux", linux)] + ([("native", native)] if env("NATIVE") == "1" else [])

names = []
for _, data in columns:
    for name in (data or {}).get("figures", {}):
        if name not in names:
            names.append(name)


def value(data, name):
    fig = (data or {}).get("figures", {}).get(name)
    return fig["value"] if fig else None


def unit(name):
    for _, data in columns:
        fig = (data or {}).get("figures", {}).get(name)
        if fig:
            return fig["unit"]
    return ""


def ratio(name):
    p, l = value(pagoda, name), value(linux, name)
    if p is None or l is None or p == 0 or l == 0:
        return None
    return l / p if unit(name) == "MB/s" else p / l


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.1f}"


mode = env("MODE")
print()
print(f"vmbench, {mode} mode{' (quick)' if env('QUICK') == '1' else ''}, guest memory {env('MEM')} MiB"
      + (" — times are guest instructions (1 ns = 1 instruction)" if mode == "icount" else " — wall-clock time under TCG"))
header = ["figure", "unit"] + [c for c, _ in columns] + ["Pagoda/Linux"]
rows = [[n, unit(n)] + [fmt(value(d, n)) for _, d in columns]
        + [("-" if ratio(n) is None else f"{ratio(n):.2f}")] for n in names]
widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
line = lambda r: "| " + " | ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(r)) + " |"
print(line(header))
print("|" + "|".join("-" * (w + 2) if i < 2 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
for r in rows:
    print(line(r))
print("Pagoda/Linux is a ratio of times: above 1 Pagoda is slower (MB/s figures are inverted).")
print()
print(f"Pagoda: {(pagoda or {}).get('kernel', 'no result')} (status {env('PAGODA_STATUS') or '-'}, {env('PAGODA_SECONDS')} s)")
linux_what = env("LINUX_VERSION") or "not run"
if env("LINUX_ERROR"):
    linux_what += f" — {env('LINUX_ERROR')}"
print(f"Linux:  {(linux or {}).get('kernel', 'no result')}, Debian {linux_what} (status {env('LINUX_STATUS') or '-'}, {env('LINUX_SECONDS')} s)")
if native:
    print(f"native: {native.get('kernel')} on {platform.node()}")
print(env("QEMU_VERSION"))
for who in ("pagoda", "linux"):
    cmd = qemu_line(who)
    if cmd:
        print(f"QEMU ({who}): {cmd}")

result = {
    "mode": mode, "quick": env("QUICK") == "1", "mem_mib": int(env("MEM")), "run_dir": run,
    "qemu_version": env("QEMU_VERSION"),
    "pagoda": {"result": pagoda, "status": env("PAGODA_STATUS"), "seconds": int(env("PAGODA_SECONDS") or 0),
               "qemu_command": qemu_line("pagoda")},
    "linux": {"result": linux, "status": env("LINUX_STATUS"), "seconds": int(env("LINUX_SECONDS") or 0),
              "package": env("LINUX_VERSION"), "error": env("LINUX_ERROR"), "qemu_command": qemu_line("linux")},
    "native": native,
    "ratios_pagoda_over_linux": {n: ratio(n) for n in names},
}
with open(env("RESULT"), "w") as f:
    json.dump(result, f, indent=1)
print(f"results: {env('RESULT')}")
sys.exit(0)
