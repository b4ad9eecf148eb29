// Intake autosave and body map. Without this file the form still works: each step posts.
(function () {
  "use strict";
  var form = document.querySelector("form.intake-form");
  if (!form) return;
  var status = form.querySelector(".save-status");
  var timer = null;
  var pending = false;
  var sequence = 0; // the newest change; the page is clean once that one is saved

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Every field of this step, as the server's per-step post would see it.
  function collect() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "go") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) {
        if (el.type === "checkbox" && !(el.name in fields)) fields[el.name] = [];
        return;
      }
      if (el.type === "checkbox") {
        fields[el.name] = (fields[el.name] || []).concat([el.value]);
      } else {
        fields[el.name] = el.value;
      }
    });
    return fields;
  }

  function save() {
    timer = null;
    pending = false;
    var mine = sequence;
    var body = JSON.stringify({ step: form.dataset.step, fields: collect() });
    fetch(form.dataset.autosave, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body,
      credentials: "same-origin",
      keepalive: true, // lets the last save finish when the page is reloaded or closed
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok && data.ok) {
          status.textContent = form.dataset.saved + " " + data.saved_at;
          if (mine === sequence) delete form.dataset.dirty;
        } else {
          status.textContent = data.error || form.dataset.failed;
        }
      });
    }).catch(function () {
      status.textContent = form.dataset.failed;
      pending = true;
    });
  }

  function schedule(delay) {
    pending = true;
    sequence += 1;
    form.dataset.dirty = "1";
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("change", function () { schedule(150); });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text" || !event.target.type) {
      schedule(800);
    }
  });
  // A dropped connection: try again when the browser says it is back.
  window.addEventListener("online", function () { if (pending) save(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && timer) { clearTimeout(timer); save(); }
  });

  // A visible count on every text box with a limit, so nothing is cut without warning.
  form.querySelectorAll("[data-counter]").forEach(function (box) {
    var limit = parseInt(box.getAttribute("maxlength"), 10);
    var count = document.createElement("span");
    count.className = "char-count";
    count.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", count);
    function update() {
      count.textContent = box.value.length + " / " + limit;
      count.classList.toggle("near", box.value.length >= limit * 0.9);
    }
    box.addEventListener("input", update);
    update();
  });

  // A choice can be taken back: each group of radio buttons gets a "clear" button.
  form.querySelectorAll("[data-clearable]").forEach(function (group) {
    if (!group.querySelector("input[type=radio]")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "clear-choice";
    button.textContent = form.dataset.clear;
    button.addEventListener("click", function () {
      group.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = false; });
      schedule(150);
    });
    group.appendChild(button);
  });

  // Body map: tapping a region opens its row; a region with pain is shaded by strength.
  function shade(key) {
    var select = form.querySelector('[data-intensity="' + key + '"]');
    var value = select && select.value !== "" ? parseInt(select.value, 10) : null;
    document.querySelectorAll('[data-region="' + key + '"]').forEach(function (a) {
      a.classList.toggle("hurt", value !== null && value > 0);
      a.style.setProperty("--pain", value === null ? 0 : value / 10);
    });
  }
  document.querySelectorAll("[data-region]").forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      var key = a.dataset.region;
      var row = document.getElementById("region-" + key);
      if (!row) return;
      row.open = true;
      row.scrollIntoView({ block: "center", behavior: "smooth" });
      var select = row.querySelector("select");
      if (select) select.focus({ preventScroll: true });
    });
  });
  form.querySelectorAll("[data-intensity]").forEach(function (select) {
    shade(select.dataset.intensity);
    select.addEventListener("change", function () { shade(select.dataset.intensity); });
  });
})();
