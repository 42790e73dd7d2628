#!/usr/bin/env python3
"""The table of tools/bench. Reads the vmbench JSON lines of one run directory (RUN): TAG.json
for each boot listed in RUN/runs.txt ("TAG status seconds"), where TAG is KERNEL-icount or
KERNEL-wall-ROUND and KERNEL is pagoda, linux (Debian's kernel as shipped) or linuxoff (the
same with mitigations=off); native.json with --native. Prints one table, icount and wall side
by side, then the mitigations of each Linux boot and the QEMU command lines, and writes all of
it to RESULT (results/bench-DATE-MODE.json).

Ratios are ratios of times, Pagoda over Linux: below 1 Pagoda is faster (for MB/s figures the
values are inverted). Wall cells are the median of the rounds and, in brackets, their minimum
and maximum; a wall ratio's range is the worst and best pairing of the two kernels' rounds
(Pagoda's min over Linux's max, Pagoda's max over Linux's min). A winner is named only when
the two kernels' ranges do not overlap; otherwise the verdict is "same within noise"."""
import json
import os
import platform
import statistics
import sys

from bench_run import boots_of, compare, fmt, fmt_ratio, linux_package_line, load as load_of, print_qemu_commands, \
    print_table, read_text as read_text_of

run = os.environ["RUN"]
env = os.environ.get
KERNELS = [("pagoda", "Pagoda"), ("linux", "Linux"), ("linuxoff", "Linux m=off")]


def load(tag):
    return load_of(run, tag)


def read_text(name):
    return read_text_of(run, name)


boots = boots_of(run)  # (tag, status, seconds)
results = {tag: load(tag) for tag, _, _ in boots}
native = load("native") if env("NATIVE") == "1" else None


def figures_of(tag):
    return (results.get(tag) or {}).get("figures", {})


names, units = [], {}
for tag in list(results) + (["native"] if native else []):
    figs = native.get("figures", {}) if tag == "native" else figures_of(tag)
    for name, fig in figs.items():
        if name not in names:
            names.append(name)
            units[name] = fig["unit"]

kernels = [(k, label) for k, label in KERNELS if any(t.startswith(k + "-") for t in results)]
have_icount = any(t.endswith("-icount") for t in results)
wall_tags = {k: sorted((t for t in results if t.startswith(k + "-wall-")), key=lambda t: int(t.rsplit("-", 1)[1]))
             for k, _ in kernels}
have_wall = any(wall_tags.values())


def icount_value(kernel, name):
    fig = figures_of(f"{kernel}-icount").get(name)
    return fig["value"] if fig else None


def wall_values(kernel, name):
    return [figures_of(t)[name]["value"] for t in wall_tags.get(kernel, []) if name in figures_of(t)]


def as_time(name, v):  # MB/s inverted so that every comparison is "smaller is faster"
    return (1 / v if v else None) if units[name] == "MB/s" else v


def ratio(name, p, l):
    p, l = as_time(name, p), as_time(name, l)
    return p / l if p and l else None


def wall_summary(name, values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "rounds": values}


def wall_comparison(name, p, l):
    """ratio of medians, its range, and the verdict, for Pagoda's summary p and Linux's l."""
    return compare(p, l, lambda v: as_time(name, v))


header = ["figure", "unit"]
if have_icount:
    header += [f"icount {label}" for _, label in kernels]
    header += [f"icount P/{'L' if k == 'linux' else 'L off'}" for k, _ in kernels if k != "pagoda"]
if have_wall:
    header += [f"wall {label}" for _, label in kernels]
    header += [f"wall P/{'L' if k == 'linux' else 'L off'}" for k, _ in kernels if k != "pagoda"]
    header += [f"wall vs {label}" for k, label in kernels if k != "pagoda"]
if native:
    header += ["native"]

rows, record, disagreements = [], {}, []
for name in names:
    row = [name, units[name]]
    rec = {"unit": units[name]}
    ic = {k: icount_value(k, name) for k, _ in kernels}
    wl = {k: wall_summary(name, wall_values(k, name)) for k, _ in kernels}
    if have_icount:
        row += [fmt(ic[k]) for k, _ in kernels]
        for k, _ in kernels:
            if k != "pagoda":
                r = ratio(name, ic.get("pagoda"), ic[k])
                row.append(fmt_ratio(r))
                rec[f"icount_ratio_pagoda_over_{k}"] = r
        rec["icount"] = ic
    if have_wall:
        row += ["-" if not wl[k] else f"{fmt(wl[k]['median'])} ({fmt(wl[k]['min'])}–{fmt(wl[k]['max'])})"
                for k, _ in kernels]
        comparisons = {k: wall_comparison(name, wl.get("pagoda"), wl[k]) for k, _ in kernels if k != "pagoda"}
        for k, c in comparisons.items():
            row.append("-" if not c else f"{fmt_ratio(c['ratio'])} ({fmt_ratio(c['low'])}–{fmt_ratio(c['high'])})")
        for k, c in comparisons.items():
            row.append("-" if not c else c["verdict"])
        rec["wall"] = wl
        rec["wall_comparison"] = comparisons
        c = comparisons.get("linux")
        r = ratio(name, ic.get("pagoda"), ic.get("linux")) if have_icount else None
        if c and r and ((r < 1 and c["verdict"] == "Linux faster") or (r > 1 and c["verdict"] == "Pagoda faster")):
            disagreements.append(f"{name} (icount {fmt_ratio(r)}, wall {c['verdict']})")
    if native:
        fig = native.get("figures", {}).get(name)
        row.append(fmt(fig["value"] if fig else None))
        rec["native"] = fig["value"] if fig else None
    rows.append(row)
    record[name] = rec

mode = env("MODE")
print()
print(f"vmbench, {mode} mode{' (quick)' if env('QUICK') == '1' else ''}, guest memory {env('MEM')} MiB")
if have_icount:
    print("icount columns: guest instructions (1 ns = 1 instruction), one boot per kernel.")
if have_wall:
    print(f"wall columns: wall-clock time under plain TCG, {env('ROUNDS')} rounds (the kernels alternating); "
          "median (min–max) of the rounds, each round itself a median of vmbench's runs.")
print_table(header, rows)
print("P/L and P/L off: Pagoda over Linux (as shipped / booted with mitigations=off), a ratio of times: below 1")
print("Pagoda is faster (MB/s figures inverted). A wall ratio's range pairs the kernels' extreme rounds; a winner")
print("is named only when the two kernels' ranges do not overlap.")
if disagreements:
    print("icount and wall disagree on who wins: " + ", ".join(disagreements))
print()

vulnerabilities = {}
for k, label in kernels:
    if k == "pagoda":
        continue
    lists = {}
    for tag, _, _ in boots:
        if tag.startswith(k + "-"):
            text = read_text(tag + ".vulnerabilities")
            if text:
                lists.setdefault(text, []).append(tag)
    vulnerabilities[k] = {text: tags for text, tags in lists.items()}
    for text, tags in lists.items():
        print(f"{label}: /sys/devices/system/cpu/vulnerabilities ({', '.join(tags)}):")
        for entry in text.splitlines():
            print(f"    {entry}")
print("Pagoda implements no speculative-execution mitigation.")
print()

for tag, status, seconds in boots:
    kernel = (results.get(tag) or {}).get("kernel", "no result")
    print(f"{tag}: {kernel}, status {status}, {seconds} s")
print(linux_package_line(env))
if native:
    print(f"native: {native.get('kernel')} on {platform.node()}")
print(env("QEMU_VERSION"))
print_qemu_commands(run, boots)

result = {
    "mode": mode, "quick": env("QUICK") == "1", "mem_mib": int(env("MEM")), "rounds": int(env("ROUNDS") or 0),
    "run_dir": run, "qemu_version": env("QEMU_VERSION"), "linux_package": env("LINUX_VERSION"),
    "linux_error": env("LINUX_ERROR"),
    "boots": [{"tag": t, "status": s, "seconds": sec, "result": results.get(t), "qemu_command": read_text(t + ".qemu")}
              for t, s, sec in boots],
    "native": native, "figures": record, "vulnerabilities": vulnerabilities, "disagreements": disagreements,
}
with open(env("RESULT"), "w") as f:
    json.dump(result, f, indent=1)
print(f"results: {env('RESULT')}")
sys.exit(0)
