"""The VM trace as a story: parse the kernel's trace lines (kernel/mm/vm_trace.h,
docs/vmview.md), replay them into the state a figure needs — each process's mappings and
pages, which frame each page is in, each file's pages in the page cache and on disk, what is
dirty — and tell each step in one sentence.

A step is one thing the kernel did: a fault, a fork with its child's snapshot, an exec with
the new address space, a page read into the cache, ... Frame allocations and frees are not
steps (there are hundreds); they move the counters. Every step carries the changes ("ops")
that turn the state before it into the state after it, so a viewer can redraw any step by
replaying ops, and the same sentences serve the terminal (--text) and the web page.
"""

import re

PAGE = 4096
FIELD = re.compile(r"(\w+)=(\S*)")
HEAD = re.compile(r"^(\d+) (\d+) (\d+) (\d+) (\d+) (\w+)(.*)$")


def number(text):
    if text in ("-", ""):
        return None
    return int(text, 0)


def parse_line(line):
    """One trace line as a dict: seq, time, cpu, pid, tid, event, and its key=value fields
    (numbers as ints; "-" as None; text fields as given). None for blank or comment lines."""
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        return None
    if line.startswith("lost "):
        return {"event": "lost", "count": int(line.split("=", 1)[1])}
    m = HEAD.match(line)
    if not m:
        raise ValueError("not a trace line: %r" % line)
    record = {
        "seq": int(m.group(1)),
        "time": int(m.group(2)),
        "cpu": int(m.group(3)),
        "pid": int(m.group(4)),
        "tid": int(m.group(5)),
        "event": m.group(6),
    }
    rest = m.group(7)
    # name= and text= run to the end of the line (they may hold spaces).
    for key in ("name", "text"):
        at = rest.find(" %s=" % key)
        if at >= 0:
            record[key] = rest[at + len(key) + 2:]
            rest = rest[:at]
    for key, value in FIELD.findall(rest):
        try:
            record[key] = number(value)
        except ValueError:
            record[key] = value
    return record


def parse(text):
    return [r for r in (parse_line(line) for line in text.splitlines()) if r]


def hexa(value):
    return "-" if value is None else "0x%x" % value


def prot_of(text):
    return text if isinstance(text, str) else "---"


class Story:
    """Replays records into state and steps. After construction: .steps (list of dicts with
    seq, time, pid, kind, sentence, ops, counters), .processes, .caches, .frames_total."""

    COUNTERS = ("zero_fill", "cow_copy", "cow_reuse", "file_faults", "frames_used", "cache_pages", "dirty_pages",
                "written_back", "signals")

    def __init__(self, records):
        self.steps = []
        self.processes = {}  # pid -> {"name", "vmas": {start: vma}, "pages": {va: page}, "parent", "vfork_of", "alive"}
        self.caches = {}  # id -> {"name", "ino", "pages": {index: frame}, "dirty": set(), "blocks": {index: block}}
        self.inode_caches = {}  # ino -> cache id
        self.counters = dict.fromkeys(self.COUNTERS, 0)
        self.frames_total = 0
        self.frames_free_at_start = 0
        self.lost = 0
        self._pending = None  # a step still collecting its snapshot records
        self._last_disk_read = None
        for record in records:
            self._apply(record)
        self._flush()

    # ------------------------------------------------------------------ state helpers

    def process(self, pid):
        if pid not in self.processes:
            self.processes[pid] = {"pid": pid, "name": "pid %d" % pid, "vmas": {}, "pages": {}, "parent": None,
                                   "vfork_of": None, "alive": True}
        return self.processes[pid]

    def cache(self, cache_id):
        if cache_id not in self.caches:
            self.caches[cache_id] = {"id": cache_id, "name": None, "ino": None, "pages": {}, "dirty": set(), "blocks": {}}
        return self.caches[cache_id]

    def cache_label(self, cache_id):
        c = self.caches.get(cache_id)
        if c and c["name"]:
            return c["name"]
        if c and c["ino"] is not None:
            return "inode %d" % c["ino"]
        return "cache %s" % hexa(cache_id)

    def vma_at(self, pid, va):
        for vma in self.process(pid)["vmas"].values():
            if vma["start"] <= va < vma["end"]:
                return vma
        return None

    def sharers(self, frame):
        """Every (pid, va) that maps `frame`, as the state is now."""
        return [(pid, va) for pid, p in self.processes.items() if p["alive"] for va, page in p["pages"].items()
                if page["frame"] == frame]

    # ------------------------------------------------------------------ steps and ops

    def _step(self, record, kind, sentence):
        self._flush()
        self._pending = {"seq": record.get("seq"), "time": record.get("time"), "pid": record.get("pid"), "kind": kind,
                         "sentence": sentence, "ops": []}
        return self._pending

    def _op(self, *op):
        if self._pending is None:
            self._pending = {"seq": None, "time": None, "pid": None, "kind": "start",
                             "sentence": "The trace begins.", "ops": []}
        self._pending["ops"].append(list(op))
        self._apply_op(op)

    def _flush(self):
        if self._pending is not None:
            step = self._pending
            step["counters"] = dict(self.counters)
            if step["kind"] in ("fork", "exec", "start"):
                step["sentence"] = step["sentence"].format(pages=self._snapshot_pages)
            self.steps.append(step)
            self._pending = None

    def _apply_op(self, op):
        kind = op[0]
        if kind == "proc":
            _, pid, name, parent, vfork_of = op
            p = self.process(pid)
            p.update(name=name or p["name"], parent=parent, vfork_of=vfork_of, alive=True)
        elif kind == "name":
            self.process(op[1])["name"] = op[2]
        elif kind == "vfork_end":
            self.process(op[1])["vfork_of"] = None
        elif kind == "clear":
            p = self.process(op[1])
            p["vmas"].clear()
            p["pages"].clear()
        elif kind == "exit":
            p = self.process(op[1])
            p["alive"] = False
            p["vmas"].clear()
            p["pages"].clear()
        elif kind == "vma":
            _, pid, start, end, prot, shared, cache_id, offset = op
            self.process(pid)["vmas"][start] = {"start": start, "end": end, "prot": prot, "shared": shared,
                                                 "cache": cache_id, "offset": offset}
        elif kind == "unmap":
            _, pid, start, end = op
            p = self.process(pid)
            for va in [va for va in p["pages"] if start <= va < end]:
                del p["pages"][va]
            for vstart, vma in list(p["vmas"].items()):
                if vma["end"] <= start or vma["start"] >= end:
                    continue
                del p["vmas"][vstart]
                if vma["start"] < start:
                    p["vmas"][vma["start"]] = dict(vma, end=start)
                if vma["end"] > end:
                    off = vma["offset"] + (end - vma["start"]) if vma["cache"] else 0
                    p["vmas"][end] = dict(vma, start=end, offset=off)
        elif kind == "map":
            _, pid, va, frame, writable, cache_id, index = op
            self.process(pid)["pages"][va] = {"frame": frame, "writable": writable, "cache": cache_id, "index": index}
        elif kind == "cache_page":
            _, cache_id, index, frame = op
            c = self.cache(cache_id)
            if frame is None:
                c["pages"].pop(index, None)
                c["dirty"].discard(index)
            else:
                c["pages"][index] = frame
        elif kind == "dirty":
            _, cache_id, index, dirty = op
            (self.cache(cache_id)["dirty"].add if dirty else self.cache(cache_id)["dirty"].discard)(index)
        elif kind == "block":
            _, cache_id, index, block = op
            self.cache(cache_id)["blocks"][index] = block
        elif kind == "cache_name":
            _, cache_id, name, ino = op
            c = self.cache(cache_id)
            if name and not c["name"]:  # the first name (a later /proc/self/exe is the same file)
                c["name"] = name
            if ino is not None:
                c["ino"] = ino

    # ------------------------------------------------------------------ records

    def _apply(self, r):
        event = r["event"]
        handler = getattr(self, "_on_" + event, None)
        if handler:
            handler(r)

    def _on_lost(self, r):
        self.lost += r["count"]
        self._step(r, "lost", "%d records were lost here: the ring was full (tools/trace --records)." % r["count"])

    def _on_trace_start(self, r):
        self.frames_total = r["frames"]
        self.frames_free_at_start = r["free"]
        self.counters["frames_used"] = r["frames"] - r["free"]
        self._snapshot_pages = 0
        self._step(r, "start", "Tracing starts: %d frames of memory, %d of them free." % (r["frames"], r["free"]))

    def _on_frame_alloc(self, r):
        self.counters["frames_used"] += 1

    def _on_frame_free(self, r):
        self.counters["frames_used"] -= 1

    def _on_cache_file(self, r):
        self.inode_caches[r["ino"]] = r["cache"]
        self._op("cache_name", r["cache"], None, r["ino"])

    def _on_name(self, r):
        self._op("cache_name", r["cache"], r["text"], None)

    def _on_vma(self, r):
        self._op("vma", r["pid"], r["start"], r["end"], prot_of(r["prot"]), bool(r["shared"]), r["cache"] or None,
                 r["offset"])

    def _on_page(self, r):
        self._snapshot_pages = getattr(self, "_snapshot_pages", 0) + 1
        cache_id = r["cache"] if r["cache_frame"] else None
        self._op("map", r["pid"], r["va"], r["frame"], bool(r["writable"]), cache_id, r["index"] if cache_id else None)
        if cache_id:
            self._op("cache_page", cache_id, r["index"], r["frame"])
            if r["dirty"]:
                self._op("dirty", cache_id, r["index"], True)

    def _on_exec(self, r):
        pid = r["pid"]
        self._snapshot_pages = 0
        self._step(r, "exec", "pid %d runs %s: a new address space, {pages} pages present." % (pid, r["name"]))
        p = self.process(pid)
        self._op("proc", pid, r["name"], p["parent"], None)
        self._op("clear", pid)

    def _on_fork(self, r):
        parent, child = r["pid"], r["child"]
        if r["vfork"]:
            self._step(r, "vfork", "pid %d vforked pid %d: the child runs in its parent's address space (nothing copied,"
                       " nothing write-protected) and the parent waits for its exec or exit." % (parent, child))
            self._op("proc", child, self.process(parent)["name"], parent, parent)
            return
        self._snapshot_pages = 0
        tables = " and %d leaf page tables" % r["tables"] if r["tables"] else ""
        self._step(r, "fork", "pid %d forked pid %d: %d pages%s shared copy-on-write, write-protected in both; "
                   "no frame copied." % (parent, child, r["pages"], tables))
        self._op("proc", child, self.process(parent)["name"], parent, None)
        # The parent's private writable pages are read-only now too.
        for va, page in list(self.process(parent)["pages"].items()):
            if page["writable"]:
                vma = self.vma_at(parent, va)
                if vma and not vma["shared"]:
                    self._op("map", parent, va, page["frame"], False, page["cache"], page["index"])

    def _on_vfork_end(self, r):
        how = "exited" if r["by"] == "exit" else "exec'd"
        self._step(r, "vfork_end", "vfork child pid %d %s: it leaves its parent's address space and pid %d runs again."
                   % (r["pid"], how, r["parent"]))
        self._op("vfork_end", r["pid"])

    def _on_exit(self, r):
        status = r["status"]
        text = "status %d" % (status >> 8) if status & 0x7f == 0 else "killed by signal %d" % (status & 0x7f)
        lender = self.process(r["pid"])["vfork_of"]
        if lender:
            self._step(r, "exit", "pid %d exited (%s); the address space it borrowed stays pid %d's." % (r["pid"], text, lender))
        else:
            self._step(r, "exit", "pid %d exited (%s): its pages are unmapped, its frames' refcounts drop." % (r["pid"], text))
        self._op("exit", r["pid"])

    def _describe_range(self, r):
        pages = (r["length"] + PAGE - 1) // PAGE
        return "0x%x-0x%x (%d page%s)" % (r["start"], r["start"] + r["length"], pages, "" if pages == 1 else "s")

    def _on_mmap(self, r):
        shared = bool(r["flags"] & 1)
        backing = ("%s at offset 0x%x" % (self.cache_label(r["cache"]), r["offset"])) if r["cache"] else "anonymous memory"
        self._step(r, "mmap", "pid %d mapped %s %s, %s %s: nothing is in memory until it is touched."
                   % (r["pid"], self._describe_range(r), r["prot"], "shared" if shared else "private", backing))
        self._op("vma", r["pid"], r["start"], r["start"] + r["length"], r["prot"], shared, r["cache"] or None, r["offset"])

    def _on_munmap(self, r):
        self._step(r, "munmap", "pid %d unmapped %s." % (r["pid"], self._describe_range(r)))
        self._op("unmap", r["pid"], r["start"], r["start"] + r["length"])

    def _on_mprotect(self, r):
        self._step(r, "mprotect", "pid %d made %s %s." % (r["pid"], self._describe_range(r), r["prot"]))
        p = self.process(r["pid"])
        for vma in list(p["vmas"].values()):
            if vma["start"] >= r["start"] and vma["end"] <= r["start"] + r["length"]:
                self._op("vma", r["pid"], vma["start"], vma["end"], r["prot"], vma["shared"], vma["cache"], vma["offset"])

    def _on_mremap(self, r):
        self._step(r, "mremap", "pid %d moved or resized 0x%x (%d bytes) to 0x%x (%d bytes)."
                   % (r["pid"], r["old"], r["old_length"], r["new"], r["new_length"]))
        p = self.process(r["pid"])
        old = self.vma_at(r["pid"], r["old"])
        moved = {va - r["old"]: page for va, page in p["pages"].items() if r["old"] <= va < r["old"] + r["old_length"]}
        self._op("unmap", r["pid"], r["old"], r["old"] + r["old_length"])
        if old:
            self._op("vma", r["pid"], r["new"], r["new"] + r["new_length"], old["prot"], old["shared"], old["cache"],
                     old["offset"])
        for delta, page in sorted(moved.items()):
            if delta < r["new_length"]:
                self._op("map", r["pid"], r["new"] + delta, page["frame"], page["writable"], page["cache"], page["index"])

    def _on_brk(self, r):
        old, new = (r["old"] + PAGE - 1) // PAGE * PAGE, (r["new"] + PAGE - 1) // PAGE * PAGE
        if old == new:
            return
        if new > old:
            self._step(r, "brk", "pid %d grew its heap (brk) to 0x%x." % (r["pid"], r["new"]))
            below = self.vma_at(r["pid"], old - 1) if old else None
            start = below["start"] if below and below["cache"] is None and below["prot"] == "rw-" else old
            self._op("vma", r["pid"], start, new, "rw-", False, None, 0)
        else:
            self._step(r, "brk", "pid %d shrank its heap (brk) to 0x%x." % (r["pid"], r["new"]))
            self._op("unmap", r["pid"], new, old)

    def _on_fault(self, r):
        pid, va, case = r["pid"], r["addr"], r["case"]
        # A vfork child touches its parent's address space: the pages are the parent's.
        space = self.process(pid)["vfork_of"] or pid
        access = {"read": "read", "write": "wrote", "exec": "ran code at"}[r["access"]]
        who = "pid %d %s 0x%x" % (pid, access, va)
        old, new = r["old"], r["new"]
        vma = self.vma_at(space, va)
        file_page = None
        if vma and vma["cache"]:
            index = (vma["offset"] + va - vma["start"]) // PAGE
            file_page = (vma["cache"], index)
        where = " (page %d of %s)" % (file_page[1], self.cache_label(file_page[0])) if file_page else ""
        writable = r["access"] == "write" or bool(vma and "w" in vma["prot"] and case in ("cow_reuse",))
        result = r["result"]
        counted = None
        if result in ("sigsegv", "sigbus"):
            sentence = "%s: %s → %s." % (who, "no mapping allows it" if result == "sigsegv" else
                                         "the page lies past the end of the file", result.upper())
            self._step(r, "signal", sentence)
            self.counters["signals"] += 1
            return
        if result == "oom":
            self._step(r, "oom", "%s: no free frame left — the process is killed (out of memory)." % who)
            return
        if result == "retry":
            self._step(r, "retry", "%s: the page changed while the kernel waited for the disk; the access is retried." % who)
            return
        if case == "cow_copy":
            sentence = "%s%s: frame %s is shared by %d, copied to %s." % (who, where, hexa(old), r["old_ref"], hexa(new))
            counted = "cow_copy"
        elif case == "cow_reuse":
            sentence = ("%s%s: frame %s is its alone now (refcount 1), made writable in place, no copy."
                        % (who, where, hexa(old)))
            counted = "cow_reuse"
        elif case == "zero_write":
            sentence = "%s: a fresh zeroed frame %s for a page never touched before." % (who, hexa(new))
            counted = "zero_fill"
        elif case == "zero_read":
            sentence = "%s: untouched memory maps the shared zero frame %s, read-only." % (who, hexa(new))
            counted = "zero_fill"
        elif case == "file_read":
            sentence = "%s%s: mapped the page-cache frame %s (shared by %d)." % (who, where, hexa(new), r["new_ref"])
            counted = "file_faults"
        elif case == "file_cow":
            cached = self.caches.get(file_page[0], {}).get("pages", {}).get(file_page[1]) if file_page else None
            source = "the cache page %s" % hexa(cached) if cached is not None else "the file's page"
            sentence = ("%s%s of a private file mapping: %s copied into its own frame %s; the file is unchanged."
                        % (who, where, source, hexa(new)))
            counted = "file_faults"
        elif case == "file_shared_write":
            sentence = "%s%s of a shared mapping: frame %s is marked dirty and mapped writable." % (who, where, hexa(new))
            counted = "file_faults"
        elif case == "spurious":
            sentence = "%s: the page was already there; only the entry's rights were refreshed." % who
        else:
            sentence = "%s: %s." % (who, case)
        self._step(r, case, sentence)
        if counted:
            self.counters[counted] += 1
        # (pid 0: the kernel loading the first program; the exec's snapshot shows the result.)
        if new is not None and pid != 0:
            is_cache_frame = case in ("file_read", "file_shared_write") and file_page is not None
            self._op("map", space, va, new, writable or case in ("zero_write", "cow_copy", "file_cow", "file_shared_write"),
                     file_page[0] if is_cache_frame else None, file_page[1] if is_cache_frame else None)
            if is_cache_frame:
                self._op("cache_page", file_page[0], file_page[1], new)

    def _on_disk_read(self, r):
        self._last_disk_read = r

    def _on_cache_insert(self, r):
        label = self.cache_label(r["cache"])
        disk = self._last_disk_read
        if r["how"] == "read":
            block = ""
            if disk and self.inode_caches.get(disk["ino"]) == r["cache"] and disk["index"] == r["index"]:
                block = " from disk block %d" % disk["block"]
                self._step(r, "cache_read", "page %d of %s read%s into frame %s of the page cache."
                       % (r["index"], label, block, hexa(r["frame"])))
            if block:
                self._op("block", r["cache"], r["index"], disk["block"])
        else:
            self._step(r, "cache_zero", "page %d of %s enters the page cache as a zeroed frame %s."
                       % (r["index"], label, hexa(r["frame"])))
        self.counters["cache_pages"] += 1
        self._op("cache_page", r["cache"], r["index"], r["frame"])

    def _on_cache_drop(self, r):
        self._step(r, "cache_drop", "page %d of %s leaves the page cache; frame %s goes back when nobody maps it."
                   % (r["index"], self.cache_label(r["cache"]), hexa(r["frame"])))
        self.counters["cache_pages"] -= 1
        if r["index"] in self.cache(r["cache"])["dirty"]:
            self.counters["dirty_pages"] -= 1
        self._op("cache_page", r["cache"], r["index"], None)

    def _on_cache_dirty(self, r):
        self._step(r, "dirty", "page %d of %s (frame %s) is dirty: memory is newer than the disk."
                   % (r["index"], self.cache_label(r["cache"]), hexa(r["frame"])))
        self.counters["dirty_pages"] += 1
        self._op("dirty", r["cache"], r["index"], True)

    def _on_cache_clean(self, r):
        self._step(r, "clean", "page %d of %s (frame %s) is clean again and write-protected: it is on its way to the disk."
                   % (r["index"], self.cache_label(r["cache"]), hexa(r["frame"])))
        self.counters["dirty_pages"] -= 1
        self._op("dirty", r["cache"], r["index"], False)
        # Write-back write-protects every PTE of the page (a later store faults and re-dirties it).
        for pid, p in self.processes.items():
            for va, page in list(p["pages"].items()):
                if page["cache"] == r["cache"] and page["index"] == r["index"] and page["writable"]:
                    self._op("map", pid, va, page["frame"], False, page["cache"], page["index"])

    def _on_writeback_start(self, r):
        self._step(r, "writeback", "write-back of %s starts (%s)." % (self.cache_label(r["cache"]), r["reason"]))
        self._op("cache_name", r["cache"], None, None)

    def _on_writeback_end(self, r):
        self._step(r, "writeback_end", "write-back of %s done: %d page%s written%s." % (
            self.cache_label(r["cache"]), r["pages"], "" if r["pages"] == 1 else "s", " (with an error)" if r["error"] else ""))
        self.counters["written_back"] += r["pages"]
        self._op("cache_name", r["cache"], None, None)

    def _on_disk_write(self, r):
        cache_id = self.inode_caches.get(r["ino"])
        label = self.cache_label(cache_id) if cache_id else "inode %d" % r["ino"]
        pages = max(1, r["blocks"]) if r["blocks"] <= 64 else 1
        self._step(r, "disk_write", "page %d of %s written to disk block %d%s." % (
            r["index"], label, r["block"], " and on (%d blocks)" % r["blocks"] if r["blocks"] > 1 else ""))
        if cache_id:
            for i in range(pages):
                self._op("block", cache_id, r["index"] + i, r["block"] + i)

    # ------------------------------------------------------------------ views

    def to_json(self):
        return {"steps": self.steps, "frames_total": self.frames_total, "lost": self.lost, "counters": list(self.COUNTERS)}


def figure_lines(story):
    """The address spaces as the state is now, as text: the notes' "page → frame" figure."""
    out = []
    frames = {}
    for pid, p in sorted(story.processes.items()):
        if not p["alive"]:
            continue
        for va, page in p["pages"].items():
            frames.setdefault(page["frame"], []).append(pid)
    for pid, p in sorted(story.processes.items()):
        if not p["alive"] or pid == 0:
            continue
        inside = " (vfork child, in pid %d's address space)" % p["vfork_of"] if p["vfork_of"] else ""
        out.append("  process %d %s%s" % (pid, p["name"], inside))
        for start, vma in sorted(p["vmas"].items()):
            backing = story.cache_label(vma["cache"]) if vma["cache"] else "anonymous"
            out.append("    %012x-%012x %s %s %s" % (vma["start"], vma["end"], vma["prot"],
                                                    "shared" if vma["shared"] else "private", backing))
            for va, page in sorted(p["pages"].items()):
                if vma["start"] <= va < vma["end"]:
                    holders = frames.get(page["frame"], [])
                    shared = "shared with %s" % ", ".join("pid %d" % h for h in sorted(set(holders)) if h != pid) \
                        if len(set(holders)) > 1 else "this process alone"
                    what = "page-cache page %d" % page["index"] if page["cache"] else "own frame"
                    out.append("      %012x -> frame %-7s %s %s, %s" % (va, hexa(page["frame"]), "rw" if page["writable"] else "r-",
                                                                      what, shared))
    return out


