// Resumable chunked upload of the import form (protocol: imaging_studies/uploads.py, a subset
// of tus 1.0). Each file is sent in chunks with PATCH at the offset the server reports; a
// dropped connection is retried from the last byte the server stored, and choosing the same
// files again after a reload goes on where the upload stopped (the set is remembered in
// localStorage under the files' names, sizes and dates). Without JavaScript the plain form posts.

const MAX_ATTEMPTS = 8;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sizeText(bytes) {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

class Refused extends Error {}

function fingerprint(openUrl, files) {
  return "atlaschart-upload:" + openUrl + ":" +
    files.map((f) => `${f.name}/${f.size}/${f.lastModified}`).join("|");
}

function patch(url, token, offset, blob, onProgress) {
  // XMLHttpRequest rather than fetch: it reports upload progress within a chunk.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PATCH", url);
    xhr.setRequestHeader("Upload-Offset", String(offset));
    xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.upload.onprogress = (ev) => onProgress(ev.loaded);
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () => reject(new Error("network"));
    xhr.ontimeout = () => reject(new Error("timeout"));
    xhr.timeout = 120000;
    xhr.send(blob);
  });
}

async function storedOffset(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (response.status === 404) throw new Refused("gone");
  if (!response.ok) throw new Error(String(response.status));
  return (await response.json()).offset;
}

async function errorText(response, fallback) {
  try {
    const body = await response.json();
    return body.error || fallback;
  } catch {
    return fallback;
  }
}

function chunkedUpload(form) {
  const input = form.querySelector('input[type="file"]');
  const box = form.querySelector(".upload-progress");
  const bar = form.querySelector(".upload-bar");
  const status = form.querySelector(".upload-status");
  const error = form.querySelector(".upload-error");
  const button = form.querySelector("button.primary");
  const token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  const words = form.dataset;
  if (!input || !window.fetch || !window.XMLHttpRequest) return;

  function show(done, total, text) {
    box.hidden = false;
    const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
    bar.value = percent;
    bar.textContent = `${percent}%`;
    status.textContent = text || `${words.wordsUploading} ${sizeText(done)} / ${sizeText(total)} (${percent}%)`;
  }

  function fail(text) {
    error.textContent = text;
    error.hidden = false;
    button.disabled = false;
  }

  async function openSet(files, key) {
    const saved = localStorage.getItem(key);
    if (saved) {
      try {
        const set = JSON.parse(saved);
        for (const f of set.files) f.offset = await storedOffset(f.url);
        show(0, 1, words.wordsResuming);
        return set;
      } catch {
        localStorage.removeItem(key); // expired or swept: start again
      }
    }
    const response = await fetch(words.openUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ files: files.map((f) => ({ name: f.name, size: f.size })) }),
    });
    if (!response.ok) throw new Refused(await errorText(response, words.wordsRefused));
    const set = await response.json();
    localStorage.setItem(key, JSON.stringify(set));
    return set;
  }

  async function sendFile(file, entry, chunkBytes, before, total) {
    let offset = entry.offset || 0;
    let attempts = 0;
    while (offset < file.size) {
      const end = Math.min(offset + chunkBytes, file.size);
      try {
        const xhr = await patch(entry.url, token, offset, file.slice(offset, end), (loaded) =>
          show(before + offset + loaded, total),
        );
        if (xhr.status === 204 || xhr.status === 409) {
          // 409: the server holds a different offset (a chunk arrived twice, or half of one).
          offset = Number(xhr.getResponseHeader("Upload-Offset"));
          attempts = 0;
        } else if (xhr.status >= 400 && xhr.status < 500) {
          let text = words.wordsRefused;
          try { text = JSON.parse(xhr.responseText).error || text; } catch { /* keep */ }
          throw new Refused(text);
        } else {
          throw new Error(String(xhr.status));
        }
      } catch (exc) {
        if (exc instanceof Refused) throw exc;
        attempts += 1;
        if (attempts > MAX_ATTEMPTS) throw new Refused(words.wordsStopped);
        show(before + offset, total, words.wordsRetrying);
        await sleep(Math.min(30000, 500 * 2 ** attempts));
        try { offset = await storedOffset(entry.url); } catch (again) {
          if (again instanceof Refused) throw again;
        }
      }
      show(before + offset, total);
    }
  }

  form.addEventListener("submit", async (event) => {
    const files = Array.from(input.files || []);
    if (!files.length) return; // the form itself says a file is needed
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    const key = fingerprint(words.openUrl, files);
    const total = files.reduce((sum, f) => sum + f.size, 0);
    show(0, total, words.wordsPreparing);
    try {
      const set = await openSet(files, key);
      let before = 0;
      for (let i = 0; i < files.length; i += 1) {
        await sendFile(files[i], set.files[i], set.chunk_bytes, before, total);
        before += files[i].size;
      }
      show(total, total, words.wordsStarting);
      const response = await fetch(set.finish_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token },
      });
      if (!response.ok) throw new Refused(await errorText(response, words.wordsRefused));
      const { job_url: jobUrl } = await response.json();
      localStorage.removeItem(key);
      window.location.assign(jobUrl);
    } catch (exc) {
      fail(exc instanceof Refused ? exc.message : words.wordsStopped);
    }
  });
}

for (const form of document.querySelectorAll("form.chunked-upload")) chunkedUpload(form);
