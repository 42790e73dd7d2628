#!/usr/bin/env python3
"""The table of tools/bench --scale. Reads the scalebench JSON lines of one run directory (RUN):
TAG.json for each boot listed in RUN/runs.txt ("TAG status seconds"), where TAG is
KERNEL-wall-cpusC-ROUND, KERNEL pagoda or linux and C a CPU count of CPU_LIST. Prints one table per
CPU count, then every boot's status and the QEMU command lines, and writes all of it to RESULT.

Every cell is the median of the rounds and, in brackets, their minimum and maximum (each round
itself a median of scalebench's runs). P/L is a ratio of times, Pagoda over Linux, as in
bench/report.py: below 1 Pagoda is faster (ops/s figures are inverted first); its range pairs
the kernels' extreme rounds, and a winner is named only when the two ranges do not overlap.
"vs 1 CPU" is the figure at C CPUs over the same figure at 1 CPU, for each kernel: above 1 an
ops/s figure has grown (the speed-up), an ns figure has become dearer."""
import json
import os
import statistics
import sys

from bench_run import boots_of, compare, fmt, fmt_ratio, linux_package_line, load, print_qemu_commands, print_table, \
    read_text

run = os.environ["RUN"]
env = os.environ.get
KERNELS = [("pagoda", "Pagoda"), ("linux", "Linux")]
cpu_counts = [int(c) for c in env("CPU_LIST", "1").split(",")]


boots = boots_of(run)  # (tag, status, seconds)
results = {tag: load(run, tag) for tag, _, _ in boots}

names, units = [], {}
for result in results.values():
    for name, fig in (result or {}).get("figures", {}).items():
        if name not in names:
            names.append(name)
            units[name] = fig["unit"]


def summary(kernel, cpus, name):
    """median, min, max and the rounds of figure NAME on KERNEL booted with CPUS, or None."""
    values = []
    for tag, _, _ in boots:
        if tag.startswith(f"{kernel}-wall-cpus{cpus}-"):
            fig = ((results.get(tag) or {}).get("figures") or {}).get(name)
            if fig:
                values.append(fig["value"])
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "rounds": values}


def as_time(name, v):  # ops/s inverted, so that every P/L is "smaller is faster"
    return (1 / v if v else None) if units[name] == "ops/s" else v


def against_one_cpu(s, base):
    if not s or not base or not base["median"] or not base["min"]:
        return None
    return {"ratio": s["median"] / base["median"], "low": s["min"] / base["max"], "high": s["max"] / base["min"]}


def fmt_range(c, value=fmt_ratio):
    return "-" if not c else f"{value(c['ratio'])} ({value(c['low'])}–{value(c['high'])})"


def fmt_summary(s):
    return "-" if not s else f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])})"


kernels = [(k, label) for k, label in KERNELS if any(t.startswith(k + "-") for t in results)]
rounds = env("ROUNDS")
print()
print(f"scalebench{' (quick)' if env('QUICK') == '1' else ''}, guest memory {env('MEM')} MiB, {rounds} rounds "
      f"(kernels and CPU counts alternating); wall-clock under multi-threaded TCG; median (min–max) of the rounds.")
record = {}
for cpus in cpu_counts:
    header = ["figure", "unit"] + [label for _, label in kernels]
    if len(kernels) == 2:
        header += ["P/L", "verdict"]
    if cpus != 1 and 1 in cpu_counts:
        header += [f"{label} vs 1 CPU" for _, label in kernels]
    rows = []
    for name in names:
        s = {k: summary(k, cpus, name) for k, _ in kernels}
        row = [name, units[name]] + [fmt_summary(s[k]) for k, _ in kernels]
        rec = {"unit": units[name], "kernels": s}
        if len(kernels) == 2:
            c = compare(s["pagoda"], s["linux"], lambda v: as_time(name, v))
            row += [fmt_range(c), c["verdict"] if c else "-"]
            rec["pagoda_over_linux"] = c
        if cpus != 1 and 1 in cpu_counts:
            growth = {k: against_one_cpu(s[k], summary(k, 1, name)) for k, _ in kernels}
            row += [fmt_range(growth[k]) for k, _ in kernels]
            rec["vs_one_cpu"] = growth
        rows.append(row)
        record.setdefault(str(cpus), {})[name] = rec
    print()
    print(f"{cpus} virtual CPU{'s' if cpus > 1 else ''} (QEMU -smp {cpus}):")
    print_table(header, rows)
# The classic scaling figure: T threads on T CPUs against one thread on one CPU (the aim of
# issue 16: page_fault1 at least 1.8 from 1 to 2 CPUs).
workloads = [n[:-3] for n in names if n.endswith("_t1") and units[n] == "ops/s"]
scaled = [c for c in cpu_counts if c != 1 and f"{workloads[0] if workloads else ''}_t{c}" in names]
if 1 in cpu_counts and workloads and scaled:
    header = ["workload", "unit"] + [f"{label} {c} threads on {c} CPUs / 1 on 1" for c in scaled for _, label in kernels]
    rows = []
    for w in workloads:
        row = [w, "ratio"]
        for c in scaled:
            for k, _ in kernels:
                g = against_one_cpu(summary(k, c, f"{w}_t{c}"), summary(k, 1, f"{w}_t1"))
                row.append(fmt_range(g))
                record.setdefault("scaling", {}).setdefault(w, {})[f"{k}_{c}"] = g
        rows.append(row)
    print()
    print("Scaling: ops/s of T threads (processes) on T CPUs over 1 thread on 1 CPU:")
    print_table(header, rows)
print()
print("_tT: T threads (fork_exit: T processes), each doing the same work; ops/s counts all T together. tlb_*: the")
print("median time of one munmap / mprotect(PROT_READ) of a written page while T-1 other threads spin.")
print("P/L: Pagoda over Linux, a ratio of times (ops/s inverted): below 1 Pagoda is faster; a winner is named only")
print("when the two kernels' ranges do not overlap. vs 1 CPU: the figure over itself at 1 CPU (ops/s: the speed-up).")
print()

for tag, status, seconds in boots:
    result = results.get(tag) or {}
    print(f"{tag}: {result.get('kernel', 'no result')}, {result.get('cpus', '?')} CPUs available to scalebench, "
          f"status {status}, {seconds} s")
print(linux_package_line(env))
print(env("QEMU_VERSION"))
print_qemu_commands(run, boots)

result = {
    "mode": "scale", "quick": env("QUICK") == "1", "mem_mib": int(env("MEM")), "rounds": int(rounds or 0),
    "cpu_counts": cpu_counts, "run_dir": run, "qemu_version": env("QEMU_VERSION"),
    "linux_package": env("LINUX_VERSION"), "linux_error": env("LINUX_ERROR"),
    "boots": [{"tag": t, "status": s, "seconds": sec, "result": results.get(t), "qemu_command": read_text(run, t + ".qemu")}
              for t, s, sec in boots],
    "figures": record,
}
with open(env("RESULT"), "w") as f:
    json.dump(result, f, indent=1)
print(f"results: {env('RESULT')}")
sys.exit(0)
