"""What the reports of tools/bench (report.py, scale_report.py) share: reading one run
directory (RUN/runs.txt, "TAG status seconds" a boot, and each boot's TAG.json and
TAG.qemu), the number formats, the table layout, and the closing lines on each boot and
the QEMU command lines."""
import json
import os


def read_text(run, name):
    try:
        with open(os.path.join(run, name)) as f:
            return f.read().strip()
    except OSError:
        return None


def load(run, tag):
    """The JSON line a boot's benchmark printed, or None."""
    try:
        text = read_text(run, tag + ".json")
        return json.loads(text) if text else None
    except ValueError:
        return None


def boots_of(run):
    """[(tag, status, seconds)] in the order the boots were made."""
    boots = []
    for line in (read_text(run, "runs.txt") or "").splitlines():
        tag, status, seconds = line.split()
        boots.append((tag, status, int(seconds)))
    return boots


def compare(p, l, as_time):
    """Pagoda's summary P against Linux's L ({"median", "min", "max"} of the rounds): the
    ratio of the medians' times, its range (the worst and best pairing of the extreme
    rounds), and the verdict, a winner only when the two ranges do not overlap. AS_TIME
    turns a value into a time (smaller is faster)."""
    if not p or not l:
        return None
    pt = sorted(as_time(v) or 0 for v in (p["min"], p["max"]))
    lt = sorted(as_time(v) or 0 for v in (l["min"], l["max"]))
    if not pt[0] or not lt[0]:
        return None
    if pt[1] < lt[0]:
        verdict = "Pagoda faster"
    elif pt[0] > lt[1]:
        verdict = "Linux faster"
    else:
        verdict = "same within noise"
    pm, lm = as_time(p["median"]), as_time(l["median"])
    return {"ratio": pm / lm if pm and lm else None, "low": pt[0] / lt[1], "high": pt[1] / lt[0], "verdict": verdict}


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.1f}"


def fmt_ratio(r):
    return "-" if r is None else (f"{r:.3f}" if r < 0.1 else f"{r:.2f}")


def print_table(header, rows):
    """A Markdown table: the first two columns left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]

    def line(r):
        return "| " + " | ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(r)) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) if i < 2 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
    for r in rows:
        print(line(r))


def print_qemu_commands(run, boots):
    """The QEMU command line of the first boot of each kind (a kind: the tag without its
    round number), as the wrapper around qemu-system-x86_64 recorded it."""
    shown = set()
    for tag, _, _ in boots:
        cmd = read_text(run, tag + ".qemu")
        kind = tag.rsplit("-", 1)[0] if "-wall-" in tag else tag
        if cmd and kind not in shown:
            shown.add(kind)
            print(f"QEMU ({tag}): {cmd}")


def linux_package_line(env):
    what = env("LINUX_VERSION") or "not run"
    if env("LINUX_ERROR"):
        what += f" — {env('LINUX_ERROR')}"
    return f"Linux package: Debian {what}"
