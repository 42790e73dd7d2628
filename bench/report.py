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

run = os.environ["RUN"]
env = os.environ.get
KERNELS = [("pagoda", "Pagoda"), ("linux", "Linux"), ("linuxoff", "Linux m=off")]


def load(tag):
    try:
        with open(os.path.join(run, tag + ".json")) as f:
            text = f.read().strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def read_text(name):
    try:
        with open(os.path.join(run, name)) as f:
            return f.read().strip()
    except OSError:
        return None


boots = []  # (tag, status, seconds)
for line in (read_text("runs.txt") or "").splitlines():
    tag, status, seconds = line.split()
    boots.append((tag, status, int(seconds)))
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
    if not p or not l:
        return None
    pt = sorted(as_time(name, v) or 0 for v in (p["min"], p["max"]))
    lt = sorted(as_time(name, v) or 0 for v in (l["min"], l["max"]))
    if not pt[0] or not lt[0]:
        return None
    if pt[1] < lt[0]:
        verdict = "Pagoda faster"
    elif pt[0] > lt[1]:
        verdict = "Linux faster"
    else:
        verdict = "same within noise"
    return {"ratio": ratio(name, p["median"], l["median"]), "low": pt[0] / lt[1], "high": pt[1] / lt[0],
            "verdict": verdict}


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.1f}"


def fmt_ratio(r):
    return "-" if r is None else (f"{r:.3f}" if r < 0.1 else f"{r:.2f}")


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
widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]


def line(r):
    return "| " + " | ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(r)) + " |"


print(line(header))
print("|" + "|".join("-" * (w + 2) if i < 2 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
for r in rows:
    print(line(r))
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
linux_what = env("LINUX_VERSION") or "not run"
if env("LINUX_ERROR"):
    linux_what += f" — {env('LINUX_ERROR')}"
print(f"Linux package: Debian {linux_what}")
if native:
    print(f"native: {native.get('kernel')} on {platform.node()}")
print(env("QEMU_VERSION"))
shown = set()
for tag, _, _ in boots:
    cmd = read_text(tag + ".qemu")
    kind = tag.rsplit("-", 1)[0] if "-wall-" in tag else tag
    if cmd and kind not in shown:
        shown.add(kind)
        print(f"QEMU ({tag}): {cmd}")

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
