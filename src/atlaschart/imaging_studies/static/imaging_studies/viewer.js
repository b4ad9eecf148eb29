// AtlasChart image viewer (hand-written, no dependencies).
// The server renders PNGs (window/level, CBCT slices); this module only changes the DISPLAY:
// zoom, pan, invert, flips and 90° rotations. Every point is kept in stored-image pixels
// (x = column right, y = row down, (0, 0) = centre of the top-left pixel), so display changes
// never alter landmarks or measurements.

const $ = (sel, root = document) => root.querySelector(sel);

function csrf() {
  const m = document.cookie.match(/csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export async function postJSON(url, body) {
  const r = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await r.json(); } catch (e) { data = { error: r.statusText }; }
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}

class Canvas {
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.img = null; this.w = 1; this.h = 1; this.ay = 1;  // ay: row/col pixel aspect
    this.zoom = 1; this.panX = 0; this.panY = 0; this.rot = 0;
    this.flipH = false; this.flipV = false; this.invert = false;
    this.overlay = () => {};
    this.onChange = onChange || (() => {});
    this.resize();
    window.addEventListener("resize", () => { this.resize(); this.draw(); });
  }
  resize() {
    // One canvas pixel per CSS pixel: screen positions map 1:1 (the browser test relies on it).
    this.canvas.width = Math.round(this.canvas.clientWidth);
    this.canvas.height = Math.round(this.canvas.clientHeight);
  }
  load(url, w, h, ay = 1) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => { this.img = img; this.w = w; this.h = h; this.ay = ay; this.draw(); resolve(); };
      img.onerror = reject;
      img.src = url;
    });
  }
  fit() {
    const odd = this.rot % 2 === 1;
    const iw = odd ? this.h * this.ay : this.w, ih = odd ? this.w : this.h * this.ay;
    return Math.min(this.canvas.width / iw, this.canvas.height / ih);
  }
  // image pixel -> canvas pixel
  toScreen(x, y) {
    const s = this.fit() * this.zoom;
    let u = (x + 0.5 - this.w / 2) * s * (this.flipH ? -1 : 1);
    let v = (y + 0.5 - this.h / 2) * s * this.ay * (this.flipV ? -1 : 1);
    for (let i = 0; i < this.rot; i++) [u, v] = [-v, u];
    return [this.canvas.width / 2 + this.panX + u, this.canvas.height / 2 + this.panY + v];
  }
  toImage(sx, sy) {
    const s = this.fit() * this.zoom;
    let u = sx - this.canvas.width / 2 - this.panX, v = sy - this.canvas.height / 2 - this.panY;
    for (let i = 0; i < this.rot; i++) [u, v] = [v, -u];
    u = u / s * (this.flipH ? -1 : 1); v = v / (s * this.ay) * (this.flipV ? -1 : 1);
    return [u + this.w / 2 - 0.5, v + this.h / 2 - 0.5];
  }
  draw() {
    const c = this.ctx;
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.fillStyle = "#000"; c.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.img) return;
    const s = this.fit() * this.zoom;
    c.save();
    c.translate(this.canvas.width / 2 + this.panX, this.canvas.height / 2 + this.panY);
    c.rotate(this.rot * Math.PI / 2);
    c.scale(s * (this.flipH ? -1 : 1), s * this.ay * (this.flipV ? -1 : 1));
    c.imageSmoothingEnabled = this.zoom < 4;
    c.filter = this.invert ? "invert(1)" : "none";
    c.drawImage(this.img, -this.w / 2, -this.h / 2, this.w, this.h);
    c.restore();
    c.filter = "none";
    this.overlay(c);
    this.canvas.dataset.scale = String(s);
  }
  eventPoint(ev) {
    const r = this.canvas.getBoundingClientRect();
    return [ev.clientX - r.left, ev.clientY - r.top];
  }
  marker(x, y, label, colour) {
    const [sx, sy] = this.toScreen(x, y), c = this.ctx;
    c.strokeStyle = colour; c.lineWidth = 2;
    c.beginPath(); c.arc(sx, sy, 5, 0, 2 * Math.PI); c.stroke();
    if (label) {
      c.font = "12px sans-serif"; c.fillStyle = "rgba(0,0,0,.6)";
      const tw = c.measureText(label).width; c.fillRect(sx + 7, sy - 16, tw + 4, 15);
      c.fillStyle = colour; c.fillText(label, sx + 9, sy - 4);
    }
  }
  line(a, b, colour) {
    const [ax, ay] = this.toScreen(...a), [bx, by] = this.toScreen(...b), c = this.ctx;
    c.strokeStyle = colour; c.lineWidth = 1.5; c.beginPath(); c.moveTo(ax, ay); c.lineTo(bx, by); c.stroke();
  }
}

// Display controls shared by every page: zoom (wheel and buttons), pan (drag with the pan tool),
// invert, flips, rotation, reset.
function bindDisplay(root, view) {
  const act = {
    "zoom-in": () => { view.zoom *= 1.25; }, "zoom-out": () => { view.zoom /= 1.25; },
    invert: () => { view.invert = !view.invert; }, "flip-h": () => { view.flipH = !view.flipH; },
    "flip-v": () => { view.flipV = !view.flipV; }, rotate: () => { view.rot = (view.rot + 1) % 4; },
    reset: () => { Object.assign(view, { zoom: 1, panX: 0, panY: 0, rot: 0, flipH: false, flipV: false, invert: false }); },
  };
  root.querySelectorAll("[data-display]").forEach((b) => b.addEventListener("click", () => {
    act[b.dataset.display](); view.draw();
  }));
  view.canvas.addEventListener("wheel", (ev) => {
    ev.preventDefault(); view.zoom *= ev.deltaY < 0 ? 1.1 : 1 / 1.1; view.draw();
  }, { passive: false });
}

function spacingOf(cfg) {
  if (!cfg.row_mm || cfg.spacing_source === "none") return null;
  // PixelSpacing is already in the patient plane: no magnification on top (docs/radiograph.md).
  const m = cfg.spacing_source === "ImagerPixelSpacing" ? cfg.magnification || 1 : 1;
  return [cfg.row_mm / m, cfg.col_mm / m];
}

function lengthText(cfg, a, b, labels) {
  const sp = spacingOf(cfg);
  const dx = b[0] - a[0], dy = b[1] - a[1];
  if (!sp) return `${Math.hypot(dx, dy).toFixed(1)} px (${labels.uncalibrated})`;
  return `${Math.hypot(dx * sp[1], dy * sp[0]).toFixed(1)} mm (${cfg.spacing_label || cfg.spacing_source}` +
    (cfg.spacing_source === "ImagerPixelSpacing" ? `, ÷${cfg.magnification}` : "") + ")";
}

function angleDeg(cfg, a, v, b) {
  const sp = spacingOf(cfg) || [1, 1];
  const u = [(a[0] - v[0]) * sp[1], (a[1] - v[1]) * sp[0]], w = [(b[0] - v[0]) * sp[1], (b[1] - v[1]) * sp[0]];
  const cos = (u[0] * w[0] + u[1] * w[1]) / (Math.hypot(...u) * Math.hypot(...w));
  return Math.acos(Math.max(-1, Math.min(1, cos))) * 180 / Math.PI;
}

// --- 2-D image page --------------------------------------------------------------------------

export function imageViewer(root) {
  const cfg = JSON.parse($("#viewer-config").textContent);
  const labels = root.dataset;
  const view = new Canvas($("canvas", root));
  const status = $("[data-status]", root);
  let tool = "pan", clicks = [], measure = null, drag = null;
  const say = (t) => { status.textContent = t; };
  const url = () => {
    const q = new URLSearchParams();
    const wc = $("[name=wc]", root).value, ww = $("[name=ww]", root).value;
    if (wc !== "" && ww !== "") { q.set("wc", wc); q.set("ww", ww); }
    const fr = $("[name=frame]", root); if (fr && fr.value) q.set("frame", fr.value);
    return cfg.image_url + "?" + q.toString();
  };
  view.overlay = () => {
    (cfg.landmarks || []).forEach((m) => view.marker(m.x, m.y, m.name, "#ffd400"));
    clicks.forEach((p) => view.marker(p[0], p[1], "", "#00c8ff"));
    if (measure) {
      for (let i = 1; i < measure.pts.length; i++) view.line(measure.pts[i - 1], measure.pts[i], "#00c8ff");
    }
  };
  bindDisplay(root, view);
  root.querySelectorAll("[data-tool]").forEach((b) => b.addEventListener("click", () => {
    tool = b.dataset.tool; clicks = []; measure = null;
    root.querySelectorAll("[data-tool]").forEach((o) => o.setAttribute("aria-pressed", String(o === b)));
    say(labels["hint" + tool.replace("-", "")] || ""); view.draw();
  }));
  $("[data-apply-window]", root).addEventListener("click", () => view.load(url(), cfg.cols, cfg.rows));
  view.canvas.addEventListener("mousedown", (ev) => {
    const [sx, sy] = view.eventPoint(ev);
    if (tool === "pan") { drag = [sx, sy, view.panX, view.panY]; return; }
    const p = view.toImage(sx, sy);
    if (tool === "landmark") {
      const name = $("[name=landmark-name]", root).value.trim();
      if (!name) { say(labels.needname); return; }
      cfg.landmarks = (cfg.landmarks || []).filter((m) => m.name !== name).concat([{ name, x: +p[0].toFixed(2), y: +p[1].toFixed(2) }]);
      save({ landmarks: cfg.landmarks }); view.draw(); return;
    }
    clicks.push(p);
    const need = tool === "angle" ? 3 : 2;
    measure = { pts: clicks.slice() };
    if (clicks.length === need) {
      if (tool === "distance") say(`${labels.distance}: ${lengthText(cfg, clicks[0], clicks[1], labels)}`);
      else if (tool === "angle") say(`${labels.angle}: ${angleDeg(cfg, clicks[0], clicks[1], clicks[2]).toFixed(1)}°`);
      else if (tool === "calibrate") {
        const mm = parseFloat(window.prompt(labels.knownlength, "10"));
        if (mm > 0) save({ calibration: { a: clicks[0], b: clicks[1], length_mm: mm } });
      }
      root.dataset.lastMeasure = status.textContent;
      clicks = [];
    }
    view.draw();
  });
  view.canvas.addEventListener("mousemove", (ev) => {
    if (!drag) return;
    const [sx, sy] = view.eventPoint(ev);
    view.panX = drag[2] + sx - drag[0]; view.panY = drag[3] + sy - drag[1]; view.draw();
  });
  window.addEventListener("mouseup", () => { drag = null; });
  async function save(body) {
    try {
      const r = await postJSON(cfg.update_url, body);
      Object.assign(cfg, r.config);
      $("[data-calibration]", root).textContent = cfg.spacing_label || cfg.spacing_source;
      say(labels.saved);
    } catch (e) { say(e.message); }
    view.draw();
  }
  root.querySelectorAll("[data-save-field]").forEach((el) => el.addEventListener("change", () => {
    const v = el.type === "number" ? parseFloat(el.value) : el.value;
    save({ [el.name]: v });
  }));
  view.load(url(), cfg.cols, cfg.rows);
  window.atlasViewer = view;
}

// --- upper cervical analysis editor ----------------------------------------------------------

export function analysisEditor(root) {
  const cfg = JSON.parse($("#viewer-config").textContent);
  const labels = root.dataset;
  const view = new Canvas($("canvas", root));
  const palette = $("[data-palette]", root), status = $("[data-status]", root);
  const points = Object.assign({}, cfg.points);
  let current = null, drag = null, pan = null;
  let pairs = Math.max(2, ...Object.keys(points).filter((k) => k.startsWith("skull_pairs.")).map((k) => +k.split(".")[1]));
  const arcs = {};
  const names = () => {
    const out = [];
    const add = (n) => {
      if (n === "skull_pairs") {
        for (let i = 1; i <= pairs; i++) out.push(`skull_pairs.${i}.right`, `skull_pairs.${i}.left`);
      } else if (n.endsWith("_arc")) {
        const have = Object.keys(points).filter((k) => k.startsWith(n + ".")).length;
        arcs[n] = Math.max(arcs[n] || 3, have);
        for (let i = 1; i <= arcs[n]; i++) out.push(`${n}.${i}`);
      } else out.push(n);
    };
    cfg.required.forEach(add); cfg.optional.forEach(add);
    return out;
  };
  const required = (n) => cfg.required.some((r) => n === r || n.startsWith(r + "."));
  // Point names in the user's language (server catalogue); "{n}" is the pair or arc number.
  const guideKey = (n) => {
    const pair = n.match(/^skull_pairs\.(\d+)\.(right|left)$/);
    if (pair) return ["skull_pairs." + pair[2], pair[1]];
    const arc = n.match(/^(\w+_arc)\.(\d+)$/);
    return arc ? [arc[1], arc[2]] : [n, ""];
  };
  const labelOf = (n, short = false) => {
    const [key, num] = guideKey(n), l = (cfg.labels || {})[key];
    return l ? (short ? l.short : l.label).replace("{n}", num) : n;
  };
  const guides = $("[data-guides]", root);
  function showGuide(n) {
    if (!guides || !n) return;
    const key = guideKey(n)[0];
    guides.querySelectorAll("[data-guide]").forEach((f) => { f.hidden = f.dataset.guide !== key; });
  }
  $("[data-all-guides]", root)?.addEventListener("click", (ev) => {
    const on = guides.classList.toggle("all");
    ev.currentTarget.setAttribute("aria-pressed", String(on));
  });
  function renderPalette() {
    palette.innerHTML = "";
    names().forEach((n) => {
      const b = document.createElement("button");
      b.type = "button"; b.className = "button point" + (points[n] ? " placed" : "") + (required(n) ? " required" : "");
      b.dataset.point = n; b.textContent = labelOf(n) + (points[n] ? " ✓" : "");
      b.setAttribute("aria-pressed", String(n === current));
      b.addEventListener("click", () => { current = n; renderPalette(); say(`${labels.place}: ${labelOf(n)}`); });
      palette.appendChild(b);
    });
    showGuide(current);
  }
  const say = (t) => { status.textContent = t; };
  view.overlay = () => {
    for (let i = 1; i <= pairs; i++) {
      const r = points[`skull_pairs.${i}.right`], l = points[`skull_pairs.${i}.left`];
      if (r && l) view.line(r, l, "#00c8ff");
    }
    if (points.apl_right && points.apl_left) view.line(points.apl_right, points.apl_left, "#ff40a0");
    Object.entries(points).forEach(([n, p]) => view.marker(p[0], p[1], labelOf(n, true), n === current ? "#ffffff" : "#ff40a0"));
  };
  bindDisplay(root, view);
  const nearest = (sx, sy) => {
    let best = null, bd = 8;
    Object.entries(points).forEach(([n, p]) => {
      const [px, py] = view.toScreen(p[0], p[1]); const d = Math.hypot(px - sx, py - sy);
      if (d < bd) { bd = d; best = n; }
    });
    return best;
  };
  view.canvas.addEventListener("mousedown", (ev) => {
    const [sx, sy] = view.eventPoint(ev);
    if (ev.shiftKey || ev.button === 1) { pan = [sx, sy, view.panX, view.panY]; return; }
    const hit = nearest(sx, sy);
    if (hit) { drag = hit; current = hit; renderPalette(); return; }  // drag to move
    if (!current) { say(labels.choose); return; }
    const p = view.toImage(sx, sy);
    points[current] = [+p[0].toFixed(2), +p[1].toFixed(2)];
    const list = names(), next = list.find((n) => !points[n] && list.indexOf(n) > list.indexOf(current));
    current = next || null;
    renderPalette(); view.draw(); say(current ? `${labels.place}: ${labelOf(current)}` : labels.allplaced);
  });
  view.canvas.addEventListener("mousemove", (ev) => {
    const [sx, sy] = view.eventPoint(ev);
    if (pan) { view.panX = pan[2] + sx - pan[0]; view.panY = pan[3] + sy - pan[1]; view.draw(); return; }
    if (!drag) return;
    const p = view.toImage(sx, sy); points[drag] = [+p[0].toFixed(2), +p[1].toFixed(2)]; view.draw();
  });
  window.addEventListener("mouseup", () => { drag = null; pan = null; });
  $("[data-add-pair]", root)?.addEventListener("click", () => { pairs += 1; renderPalette(); });
  $("[data-remove-point]", root).addEventListener("click", () => {
    if (current) { delete points[current]; renderPalette(); view.draw(); }
  });
  $("[data-save]", root).addEventListener("click", async () => {
    const complete = {};
    Object.entries(points).forEach(([n, p]) => { complete[n] = p; });
    try {
      const r = await postJSON(cfg.save_url, {
        view: cfg.view, analysis_id: cfg.analysis_id, points: complete,
        listing: $("[name=listing]", root)?.value || "", vector: $("[name=vector]", root)?.value || "",
        use_table: $("[name=listing_choice]:checked", root)?.value !== "own",
      });
      cfg.analysis_id = r.analysis_id;
      showValues(r);
      say(labels.saved);
      history.replaceState(null, "", r.edit_url);
    } catch (e) { say(e.message); }
  });
  function showValues(r) {
    const table = $("[data-values]", root), body = $("tbody", table);
    body.innerHTML = "";
    // Rows come worded from the server: label, "value ± error unit", side, how the error was made.
    (r.rows || []).forEach((row) => {
      const tr = document.createElement("tr");
      tr.dataset.value = row.name;
      const name = document.createElement("td"); name.textContent = row.label;
      const val = document.createElement("td"), strong = document.createElement("strong");
      strong.textContent = row.text;
      const note = document.createElement("span"); note.className = "muted small"; note.textContent = row.error_note;
      val.append(strong, document.createElement("br"), note);
      const side = document.createElement("td"); side.textContent = row.side; side.className = "side";
      val.dataset.label = table.dataset.resultLabel; side.dataset.label = table.dataset.sideLabel;
      tr.append(name, val, side);
      body.appendChild(tr);
    });
    $("[data-algorithm]", root).textContent = r.algorithm;
    const warn = $("[data-warnings]", root);
    warn.textContent = "";
    (r.warning_texts && r.warning_texts.length ? r.warning_texts : ["—"]).forEach((w) => {
      const li = document.createElement("li"); li.textContent = w; warn.appendChild(li);
    });
    showListing(r);
  }
  // The clinic table's proposal (with its table@version and rule) and where the saved listing
  // came from. Typing a listing of one's own switches the choice to "own".
  function showListing(r) {
    const box = $("[data-proposal]", root), prov = $("[data-listing-provenance]", root);
    if (box) {
      box.textContent = "";
      const p = r.proposal;
      if (p) {
        const strong = document.createElement("strong"); strong.dataset.proposalListing = ""; strong.textContent = p.listing;
        const vec = document.createElement("span"); vec.dataset.proposalVector = ""; vec.textContent = p.vector;
        const src = document.createElement("span"); src.className = "muted small"; src.dataset.proposalSource = "";
        src.textContent = `${p.table}, ${box.dataset.rule} ${p.rule}`;
        box.append(strong, " ", vec, " ", src);
      } else {
        const none = document.createElement("span"); none.className = "muted"; none.textContent = box.dataset.none;
        box.append(none);
      }
    }
    if (r.listing_source === "rule-table") {
      $("[name=listing]", root).value = r.listing;
      $("[name=vector]", root).value = r.vector;
    }
    if (prov) {
      prov.textContent = "";
      if (r.listing_table) {
        const code = document.createElement("code"); code.textContent = r.listing_table;
        prov.append(`${prov.dataset.table} `, code, `, ${box ? box.dataset.rule : ""} ${r.listing_rule}`);
      } else prov.textContent = prov.dataset.clinician;
    }
  }
  ["listing", "vector"].forEach((n) => $(`[name=${n}]`, root)?.addEventListener("input", () => {
    const own = $("[name=listing_choice][value=own]", root);
    if (own) own.checked = true;
  }));
  renderPalette();
  current = names().find((n) => !points[n]) || null; renderPalette();
  view.load(cfg.image_url, cfg.cols, cfg.rows);
  window.atlasViewer = view;
}

// --- CBCT volume -----------------------------------------------------------------------------

export function volumeViewer(root) {
  const cfg = JSON.parse($("#viewer-config").textContent);
  const labels = root.dataset;
  const view = new Canvas($("canvas", root));
  const slider = $("[name=index]", root), status = $("[data-status]", root);
  let plane = "axial", pan = null;
  const marks = (cfg.landmarks || []).slice();
  const p = () => cfg.planes[plane];
  function load() {
    const q = new URLSearchParams({ plane, index: slider.value, wc: $("[name=wc]", root).value, ww: $("[name=ww]", root).value });
    $("[data-index]", root).textContent = `${+slider.value + 1} / ${p().count}`;
    // Rows and columns of a coronal/sagittal slice have different mm: draw with that aspect.
    return view.load(`${cfg.slice_url}?${q}`, p().cols, p().rows, p().row_mm / p().col_mm);
  }
  function setPlane(name) {
    plane = name; slider.max = String(p().count - 1); slider.value = String(Math.floor(p().count / 2));
    root.querySelectorAll("[data-plane]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.plane === name)));
    load();
  }
  view.overlay = () => marks.filter((m) => m.plane === plane && m.index === +slider.value)
    .forEach((m) => view.marker(m.col, m.row, m.name, "#ffd400"));
  bindDisplay(root, view);
  root.querySelectorAll("[data-plane]").forEach((b) => b.addEventListener("click", () => setPlane(b.dataset.plane)));
  slider.addEventListener("input", load);
  $("[data-apply-window]", root).addEventListener("click", load);
  view.canvas.addEventListener("mousedown", async (ev) => {
    const [sx, sy] = view.eventPoint(ev);
    if (ev.shiftKey) { pan = [sx, sy, view.panX, view.panY]; return; }
    const name = $("[name=landmark-name]", root).value.trim();
    if (!name) { status.textContent = labels.needname; return; }
    const [col, row] = view.toImage(sx, sy);
    const next = marks.filter((m) => m.name !== name).concat([{ name, plane, index: +slider.value, row: +row.toFixed(2), col: +col.toFixed(2) }]);
    try {
      const r = await postJSON(cfg.landmarks_url, { landmarks: next });
      marks.length = 0; marks.push(...r.landmarks); renderTable(); status.textContent = labels.saved;
    } catch (e) { status.textContent = e.message; }
    view.draw();
  });
  view.canvas.addEventListener("mousemove", (ev) => {
    if (!pan) return; const [sx, sy] = view.eventPoint(ev);
    view.panX = pan[2] + sx - pan[0]; view.panY = pan[3] + sy - pan[1]; view.draw();
  });
  window.addEventListener("mouseup", () => { pan = null; });
  function renderTable() {
    const body = $("[data-landmarks] tbody", root); body.innerHTML = "";
    marks.forEach((m) => {
      const tr = document.createElement("tr");
      [m.name, m.x_mm, m.y_mm, m.z_mm, `${labels["plane" + m.plane] || m.plane} ${m.index + 1}`].forEach((t) => {
        const td = document.createElement("td"); td.textContent = String(t); tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  $("[name=wc]", root).value = cfg.window.center; $("[name=ww]", root).value = cfg.window.width;
  renderTable(); setPlane("axial");
  window.atlasViewer = view;
}
