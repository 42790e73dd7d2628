// vmview's page: the story that tools/vmview made of a trace (story.py) drawn as the notes'
// figures. Each step's "ops" change the state; to show step k the page replays the ops of
// steps 0..k and draws the state: processes (left) with their mappings and present pages,
// physical frames (middle, each drawn once, with a line from every page that maps it), the
// page caches (file pages and their frames, dirty ones red) and the disk blocks (right).
// The page reads ?step=N or ?find=KIND[:N] (the Nth step of a kind, e.g. find=cow_copy).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const story = window.STORY;
const steps = story.steps;
const ROW = 16;
const COLUMN = { process: 10, frame: 480, cache: 680, disk: 940 };
const WIDTH = { process: 400, frame: 110, cache: 200, disk: 120 };

const hex = (n) => (n === null || n === undefined ? "-" : "0x" + n.toString(16));

function newState() {
  return { processes: new Map(), caches: new Map() };
}

function processOf(state, pid) {
  if (!state.processes.has(pid))
    state.processes.set(pid, { pid, name: "pid " + pid, vmas: new Map(), pages: new Map(), parent: null, vforkOf: null, alive: true });
  return state.processes.get(pid);
}

function cacheOf(state, id) {
  if (!state.caches.has(id)) state.caches.set(id, { id, name: null, ino: null, pages: new Map(), dirty: new Set(), blocks: new Map() });
  return state.caches.get(id);
}

// The same changes as Story._apply_op in story.py.
function applyOp(state, op) {
  const [kind, ...a] = op;
  if (kind === "proc") {
    const p = processOf(state, a[0]);
    if (a[1]) p.name = a[1];
    Object.assign(p, { parent: a[2], vforkOf: a[3], alive: true });
  } else if (kind === "name") processOf(state, a[0]).name = a[1];
  else if (kind === "vfork_end") processOf(state, a[0]).vforkOf = null;
  else if (kind === "clear" || kind === "exit") {
    const p = processOf(state, a[0]);
    p.vmas.clear();
    p.pages.clear();
    if (kind === "exit") p.alive = false;
  } else if (kind === "vma") {
    const [pid, start, end, prot, shared, cache, offset] = a;
    processOf(state, pid).vmas.set(start, { start, end, prot, shared, cache, offset });
  } else if (kind === "unmap") {
    const [pid, start, end] = a;
    const p = processOf(state, pid);
    for (const va of [...p.pages.keys()]) if (va >= start && va < end) p.pages.delete(va);
    for (const [vstart, v] of [...p.vmas]) {
      if (v.end <= start || v.start >= end) continue;
      p.vmas.delete(vstart);
      if (v.start < start) p.vmas.set(v.start, { ...v, end: start });
      if (v.end > end) p.vmas.set(end, { ...v, start: end, offset: v.cache ? v.offset + (end - v.start) : 0 });
    }
  } else if (kind === "map") {
    const [pid, va, frame, writable, cache, index] = a;
    processOf(state, pid).pages.set(va, { frame, writable, cache, index });
  } else if (kind === "cache_page") {
    const c = cacheOf(state, a[0]);
    if (a[2] === null) {
      c.pages.delete(a[1]);
      c.dirty.delete(a[1]);
    } else c.pages.set(a[1], a[2]);
  } else if (kind === "dirty") {
    const c = cacheOf(state, a[0]);
    if (a[2]) c.dirty.add(a[1]);
    else c.dirty.delete(a[1]);
  } else if (kind === "block") cacheOf(state, a[0]).blocks.set(a[1], a[2]);
  else if (kind === "cache_name") {
    const c = cacheOf(state, a[0]);
    if (a[1] && !c.name) c.name = a[1];
    if (a[2] !== null && a[2] !== undefined) c.ino = a[2];
  }
}

function stateAt(k) {
  const state = newState();
  for (let i = 0; i <= k; ++i) for (const op of steps[i].ops) applyOp(state, op);
  return state;
}

function cacheLabel(state, id) {
  const c = state.caches.get(id);
  if (c && c.name) return c.name;
  if (c && c.ino !== null) return "inode " + c.ino;
  return "cache " + hex(id);
}

function element(parent, name, attributes = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) e.setAttribute(key, value);
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e);
  return e;
}

function box(parent, x, y, width, height, cls, label, attributes = {}) {
  const g = element(parent, "g", { class: cls, ...attributes });
  element(g, "rect", { x, y, width, height, rx: 3 });
  if (label !== undefined) element(g, "text", { x: x + 4, y: y + height - 4 }, label);
  return g;
}

// What the current step touched: pages (pid:va), frames and cache pages, to highlight.
function changesOf(step) {
  const pages = new Set(), frames = new Set(), cachePages = new Set();
  for (const [kind, ...a] of step.ops) {
    if (kind === "map") {
      pages.add(a[0] + ":" + a[1]);
      frames.add(a[2]);
    } else if (kind === "cache_page" || kind === "dirty") cachePages.add(a[0] + ":" + a[1]);
  }
  return { pages, frames, cachePages };
}

function draw(k) {
  const state = stateAt(k);
  const changed = changesOf(steps[k]);
  const svg = document.getElementById("figure");
  svg.replaceChildren();
  const lines = element(svg, "g", { id: "links" });
  element(svg, "text", { x: COLUMN.process, y: 14, class: "column-title" }, "virtual memory of each process");
  element(svg, "text", { x: COLUMN.frame, y: 14, class: "column-title" }, "physical frames");
  element(svg, "text", { x: COLUMN.cache, y: 14, class: "column-title" }, "page cache");
  element(svg, "text", { x: COLUMN.disk, y: 14, class: "column-title" }, "disk blocks");

  // Who maps each frame (processes only; a page-cache frame also has the cache's reference).
  const mappers = new Map();
  for (const p of state.processes.values()) {
    if (!p.alive || p.pid === 0) continue;
    for (const [va, page] of p.pages) {
      if (!mappers.has(page.frame)) mappers.set(page.frame, []);
      mappers.get(page.frame).push([p.pid, va]);
    }
  }

  // Processes, top to bottom; a vfork child is drawn inside its parent's box.
  const pageRows = []; // { pid, va, frame, y }
  let y = 24;
  const alive = [...state.processes.values()].filter((p) => p.alive && p.pid !== 0).sort((a, b) => a.pid - b.pid);
  for (const p of alive.filter((p) => p.vforkOf === null)) {
    const g = element(svg, "g", { class: "process", "data-pid": p.pid });
    const top = y;
    const rect = element(g, "rect", { class: "process-box", x: COLUMN.process, y: top, width: WIDTH.process, rx: 5 });
    element(g, "text", { x: COLUMN.process + 6, y: top + 14, class: "title" }, "process " + p.pid + " — " + p.name);
    y += 20;
    for (const child of alive.filter((c) => c.vforkOf === p.pid)) {
      const inner = element(g, "g", { class: "vfork-child", "data-pid": child.pid });
      element(inner, "rect", { class: "vfork-box", x: COLUMN.process + 10, y, width: WIDTH.process - 20, height: 20, rx: 4 });
      element(inner, "text", { x: COLUMN.process + 16, y: y + 14, class: "title" },
        "vfork child " + child.pid + " runs in this address space until it execs or exits");
      y += 26;
    }
    for (const v of [...p.vmas.values()].sort((a, b) => a.start - b.start)) {
      const backing = v.cache ? cacheLabel(state, v.cache) + " @" + hex(v.offset) : "anonymous";
      element(g, "text", { x: COLUMN.process + 6, y: y + 12, class: "mapping-label" },
        hex(v.start) + "–" + hex(v.end) + " " + v.prot + " " + (v.shared ? "shared" : "private") + " " + backing);
      y += ROW;
      for (const va of [...p.pages.keys()].filter((va) => va >= v.start && va < v.end).sort((a, b) => a - b)) {
        const page = p.pages.get(va);
        const cls = ["page", page.writable ? "writable" : "", changed.pages.has(p.pid + ":" + va) ? "changed" : ""].join(" ").trim();
        box(g, COLUMN.process + 16, y, WIDTH.process - 26, ROW - 2, cls,
          hex(va) + (page.writable ? " rw" : " r-") + (page.cache ? " file page " + page.index : ""),
          { "data-pid": p.pid, "data-va": hex(va), "data-frame": hex(page.frame) });
        pageRows.push({ pid: p.pid, va, frame: page.frame, y: y + ROW / 2 - 1 });
        y += ROW;
      }
    }
    y += 6;
    rect.setAttribute("height", y - top);
    y += 10;
  }
  const processesBottom = y;

  // Frames, in the order the pages first name them (fewer crossing lines), then the cache's own.
  const frameY = new Map();
  let fy = 24;
  const placeFrame = (frame) => {
    if (frameY.has(frame)) return;
    frameY.set(frame, fy);
    fy += ROW + 2;
  };
  for (const row of pageRows) placeFrame(row.frame);
  for (const c of state.caches.values()) for (const frame of c.pages.values()) placeFrame(frame);
  for (const [frame, fyy] of frameY) {
    const count = (mappers.get(frame) || []).length;
    const cls = ["frame", count > 1 ? "shared" : "", changed.frames.has(frame) ? "changed" : ""].join(" ").trim();
    box(svg, COLUMN.frame, fyy, WIDTH.frame, ROW, cls, hex(frame) + (count > 1 ? " ×" + count : ""),
      { id: "frame-" + hex(frame), "data-frame": hex(frame), "data-mappers": count });
  }
  for (const row of pageRows) {
    const count = (mappers.get(row.frame) || []).length;
    const cls = ["link", count > 1 ? "shared" : "", changed.pages.has(row.pid + ":" + row.va) ? "changed" : ""].join(" ").trim();
    const x1 = COLUMN.process + WIDTH.process - 10, x2 = COLUMN.frame, y2 = frameY.get(row.frame) + ROW / 2;
    element(lines, "path", { class: cls, d: `M${x1},${row.y} C${x1 + 40},${row.y} ${x2 - 40},${y2} ${x2},${y2}`,
      "data-pid": row.pid, "data-va": hex(row.va), "data-frame": hex(row.frame) });
  }

  // Page caches and the disk: a file's pages in memory, and where they live on the disk.
  let cy = 24;
  for (const c of [...state.caches.values()].filter((c) => c.pages.size || c.blocks.size)) {
    const g = element(svg, "g", { class: "cache", "data-cache": hex(c.id) });
    const top = cy;
    const rect = element(g, "rect", { class: "cache-box", x: COLUMN.cache, y: top, width: WIDTH.cache, rx: 5 });
    element(g, "text", { x: COLUMN.cache + 6, y: top + 14, class: "title" }, cacheLabel(state, c.id));
    const diskTop = cy;
    const disk = c.blocks.size ? element(svg, "rect", { class: "disk-box", x: COLUMN.disk, y: diskTop, width: WIDTH.disk, rx: 5 }) : null;
    cy += 20;
    const indices = new Set([...c.pages.keys(), ...c.blocks.keys()]);
    for (const index of [...indices].sort((a, b) => a - b)) {
      const frame = c.pages.get(index);
      const dirty = c.dirty.has(index);
      const cls = ["cache-page", dirty ? "dirty" : "", changed.cachePages.has(c.id + ":" + index) ? "changed" : ""].join(" ").trim();
      box(g, COLUMN.cache + 10, cy, WIDTH.cache - 20, ROW - 2, cls,
        "page " + index + (frame !== undefined ? " → " + hex(frame) : " (not in memory)") + (dirty ? " dirty" : ""),
        { "data-cache": hex(c.id), "data-index": index, "data-frame": frame === undefined ? "" : hex(frame) });
      if (frame !== undefined) {
        const x1 = COLUMN.frame + WIDTH.frame, y1 = frameY.get(frame) + ROW / 2, x2 = COLUMN.cache + 10, y2 = cy + ROW / 2 - 1;
        element(lines, "path", { class: "cache-link", d: `M${x1},${y1} L${x2},${y2}`, "data-frame": hex(frame) });
      }
      if (c.blocks.has(index)) {
        const block = c.blocks.get(index);
        box(svg, COLUMN.disk + 10, cy, WIDTH.disk - 20, ROW - 2, "block" + (dirty ? "" : " written"), "block " + block,
          { "data-cache": hex(c.id), "data-index": index, "data-block": block });
        element(lines, "path", { class: "disk-link", d: `M${COLUMN.cache + WIDTH.cache - 10},${cy + ROW / 2 - 1} L${COLUMN.disk + 10},${cy + ROW / 2 - 1}` });
      }
      cy += ROW;
    }
    cy += 6;
    rect.setAttribute("height", cy - top);
    if (disk) disk.setAttribute("height", cy - diskTop);
    cy += 10;
  }
  svg.setAttribute("width", COLUMN.disk + WIDTH.disk + 10);
  svg.setAttribute("height", Math.max(processesBottom, fy, cy) + 10);

  document.getElementById("sentence").textContent = steps[k].sentence;
  document.getElementById("step-number").textContent = "step " + k + " of " + (steps.length - 1);
  document.getElementById("scrub").value = k;
  document.body.dataset.step = k;
  document.body.dataset.kind = steps[k].kind;
  drawCounters(k);
}

const PLOTTED = [["cow_copy", "#e07b00"], ["cow_reuse", "#2a7"], ["zero_fill", "#888"], ["file_faults", "#24c"],
  ["dirty_pages", "#c22"], ["written_back", "#8a6a4a"], ["frames_used", "#000"]];

function drawCounters(k) {
  const svg = document.getElementById("counters");
  svg.replaceChildren();
  const width = 900, height = 160, left = 10, top = 10;
  svg.setAttribute("width", width + 300);
  svg.setAttribute("height", height + 30);
  const n = Math.max(steps.length - 1, 1);
  const x = (i) => left + (i / n) * width;
  element(svg, "line", { class: "axis", x1: left, y1: top + height, x2: left + width, y2: top + height });
  PLOTTED.forEach(([name, color], row) => {
    const values = steps.map((s) => s.counters[name] || 0);
    const low = name === "frames_used" ? Math.min(...values) : 0;
    const high = Math.max(...values, low + 1);
    const points = values.map((v, i) => `${x(i).toFixed(1)},${(top + height - ((v - low) / (high - low)) * height).toFixed(1)}`);
    element(svg, "polyline", { points: points.join(" "), fill: "none", stroke: color, "stroke-width": 1.5, class: "counter", "data-counter": name });
    element(svg, "text", { x: left + width + 10, y: top + 12 + row * 16, fill: color, class: "counter-value", "data-counter": name },
      name + " " + values[k] + (name === "frames_used" ? " (scaled " + low + "–" + high + ")" : ""));
  });
  element(svg, "line", { class: "cursor", x1: x(k), y1: top, x2: x(k), y2: top + height });
}

function initialStep() {
  const params = new URLSearchParams(location.search);
  if (params.has("step")) return Math.min(Math.max(parseInt(params.get("step"), 10) || 0, 0), steps.length - 1);
  if (params.has("find")) {
    const [kind, nth] = params.get("find").split(":");
    const matches = steps.map((s, i) => [s, i]).filter(([s]) => s.kind === kind);
    const pick = matches[Math.min((parseInt(nth, 10) || 1) - 1, matches.length - 1)];
    if (pick) return pick[1];
  }
  return 0;
}

const VM_KINDS = new Set(["fork", "vfork", "vfork_end", "exec", "exit", "cow_copy", "cow_reuse", "zero_write", "zero_read",
  "file_read", "file_cow", "file_shared_write", "signal", "dirty", "clean", "writeback", "disk_write", "mmap", "munmap"]);

function main() {
  document.getElementById("trace-name").textContent = story.name || "";
  if (story.lost) { // said before any step, since the records lost are the story's gaps
    const lost = document.getElementById("lost");
    lost.textContent = story.lost + " records were lost: the kernel's ring was full, so this story has gaps " +
      "(their places are the steps that say so). tools/trace --records N makes the ring bigger.";
    lost.hidden = false;
  }
  const scrub = document.getElementById("scrub");
  scrub.max = steps.length - 1;
  let current = initialStep();
  const go = (k) => {
    current = Math.min(Math.max(k, 0), steps.length - 1);
    draw(current);
  };
  scrub.addEventListener("input", () => go(parseInt(scrub.value, 10)));
  document.getElementById("first").onclick = () => go(0);
  document.getElementById("last").onclick = () => go(steps.length - 1);
  document.getElementById("previous").onclick = () => go(current - 1);
  document.getElementById("next").onclick = () => go(current + 1);
  document.getElementById("next-vm").onclick = () => {
    let k = current + 1;
    while (k < steps.length - 1 && !VM_KINDS.has(steps[k].kind)) ++k;
    go(k);
  };
  document.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight") go(current + 1);
    if (e.key === "ArrowLeft") go(current - 1);
  });
  go(current);
}

main();
