// Landmark editor for one posture photo: draws points, metric lines and angle labels on an SVG
// overlay, lets the clinician drag points (mouse, pen and touch via pointer events), add the
// points the model lacks, and save. The server recomputes the metrics; the page then reloads.
const SVG_NS = "http://www.w3.org/2000/svg";

const root = document.getElementById("posture-editor");
const svg = document.getElementById("posture-svg");
const data = JSON.parse(document.getElementById("posture-data").textContent);
const text = root.dataset;
const status = document.getElementById("posture-status");
const linesLayer = svg.querySelector(".posture-lines");
const pointsLayer = svg.querySelector(".posture-points");

const size = Math.max(data.width, data.height);
const radius = Math.max(4, size / 110);
const fontSize = Math.max(12, size / 45);
const points = new Map(data.landmarks.map((p) => [p.name, { ...p }]));
let dirty = false;
let selected = null;

function el(name, attrs) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function onPhoto(p) {
  return p.x >= 0 && p.y >= 0 && p.x <= data.width && p.y <= data.height;
}

function label(metric) {
  if (dirty) return text.unsaved;
  const v = metric.value;
  const unit = metric.unit === "deg" ? "°" : metric.unit === "pct" ? "%" : " mm";
  return (v >= 0 ? "+" : "") + v.toFixed(1) + unit;
}

function drawLines() {
  linesLayer.replaceChildren();
  const placed = []; // label anchors already used: nearby labels stack upward instead of overlapping

  for (const [name, metric] of Object.entries(data.metrics)) {
    if (metric.value === null || metric.unit !== "deg" || metric.points.length < 2) continue;
    const a = points.get(metric.points[0]);
    const b = points.get(metric.points[1]);
    if (!a || !b) continue;
    linesLayer.append(el("line", {
      x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "posture-line", "stroke-width": radius / 2,
    }));
    const x = (a.x + b.x) / 2;
    let y = (a.y + b.y) / 2 - radius * 1.5;
    while (placed.some((q) => Math.abs(q.x - x) < fontSize * 3.5 && Math.abs(q.y - y) < fontSize)) {
      y -= fontSize * 1.1;
    }
    placed.push({ x, y });
    const t = el("text", {
      x, y, class: "posture-label",
      "font-size": fontSize, "text-anchor": "middle", "data-metric": name,
    });
    t.textContent = label(metric);
    linesLayer.append(t);
  }
}

function drawPoints() {
  pointsLayer.replaceChildren();
  for (const p of points.values()) {
    if (!onPhoto(p)) continue; // kept and saved unchanged, but nothing to drag on the photo
    const c = el("circle", {
      cx: p.x, cy: p.y, r: radius, "data-name": p.name, tabindex: "0",
      class: `posture-point source-${p.source}${p.name === selected ? " selected" : ""}`,
      "stroke-width": radius / 3,
    });
    const title = el("title", {});
    title.textContent = p.name.replaceAll("_", " ");
    c.append(title);
    pointsLayer.append(c);
  }
}

function redraw() {
  drawLines();
  drawPoints();
}

function toImage(event) {
  const pt = svg.createSVGPoint();
  pt.x = event.clientX;
  pt.y = event.clientY;
  const m = svg.getScreenCTM().inverse();
  const q = pt.matrixTransform(m);
  return {
    x: Math.min(Math.max(q.x, 0), data.width),
    y: Math.min(Math.max(q.y, 0), data.height),
  };
}

function select(name) {
  selected = name;
  const removeButton = document.getElementById("posture-remove");
  if (removeButton) removeButton.disabled = !name;
  const info = document.getElementById("posture-selected");
  if (info) info.textContent = name ? name.replaceAll("_", " ") : "";
}

function markDirty() {
  dirty = true;
  if (status) status.textContent = text.unsaved;
}

let dragging = null;
svg.addEventListener("pointerdown", (event) => {
  const target = event.target.closest("circle.posture-point");
  if (!target || !document.getElementById("posture-save")) return;
  event.preventDefault();
  dragging = target.dataset.name;
  select(dragging);
  svg.setPointerCapture(event.pointerId);
});
svg.addEventListener("pointermove", (event) => {
  if (!dragging) return;
  event.preventDefault();
  const p = points.get(dragging);
  const q = toImage(event);
  p.x = Math.round(q.x * 10) / 10;
  p.y = Math.round(q.y * 10) / 10;
  p.source = "clinician";
  markDirty();
  redraw();
});
function endDrag(event) {
  if (!dragging) return;
  dragging = null;
  if (svg.hasPointerCapture(event.pointerId)) svg.releasePointerCapture(event.pointerId);
}
svg.addEventListener("pointerup", endDrag);
svg.addEventListener("pointercancel", endDrag);

// Arrow keys nudge the selected point by one pixel (ten with Shift) for fine placement.
svg.addEventListener("keydown", (event) => {
  const name = event.target.dataset ? event.target.dataset.name : null;
  const p = name && points.get(name);
  const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (!p || !steps[event.key]) return;
  event.preventDefault();
  const k = event.shiftKey ? 10 : 1;
  p.x = Math.min(Math.max(p.x + steps[event.key][0] * k, 0), data.width);
  p.y = Math.min(Math.max(p.y + steps[event.key][1] * k, 0), data.height);
  p.source = "clinician";
  select(name);
  markDirty();
  redraw();
  svg.querySelector(`circle[data-name="${name}"]`)?.focus();
});

const addButton = document.getElementById("posture-add");
if (addButton) {
  addButton.addEventListener("click", () => {
    const chooser = document.getElementById("posture-add-name");
    const name = chooser.value;
    if (!name || points.has(name)) return;
    points.set(name, { name, x: data.width / 2, y: data.height / 2, source: "clinician" });
    chooser.querySelector(`option[value="${name}"]`)?.remove();
    select(name);
    markDirty();
    redraw();
    status.textContent = text.placed;
  });
}

const removeButton = document.getElementById("posture-remove");
if (removeButton) {
  removeButton.addEventListener("click", () => {
    if (!selected) return;
    points.delete(selected);
    select(null);
    markDirty();
    redraw();
  });
}

const saveButton = document.getElementById("posture-save");
if (saveButton) {
  saveButton.addEventListener("click", async () => {
    saveButton.disabled = true;
    status.textContent = text.saving;
    const body = {
      revision: data.revision,
      landmarks: [...points.values()].map((p) => ({ name: p.name, x: p.x, y: p.y })),
    };
    try {
      const response = await fetch(data.saveUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": document.querySelector("input[name=csrfmiddlewaretoken]").value,
        },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const reply = await response.json();
      if (!response.ok || !reply.ok) {
        status.textContent = `${text.failed} ${reply.error || ""}`;
        saveButton.disabled = false;
        return;
      }
      dirty = false;
      if (!reply.changed) {
        status.textContent = text.unchanged;
        saveButton.disabled = false;
        redraw();
        return;
      }
      status.textContent = text.saved;
      // Re-render from the server: metrics, reasons and history come from the core.
      window.location.reload();
    } catch (error) {
      status.textContent = text.failed;
      saveButton.disabled = false;
    }
  });
}

window.addEventListener("beforeunload", (event) => {
  if (dirty) event.preventDefault();
});

redraw();
