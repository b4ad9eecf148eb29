// Polls every element with data-job-status-url: fills its <progress> and message, goes to the
// result page when the job is done, shows the error when it failed (jobs/views.py status()).
const POLL_MS = 700;
const MAX_POLL_MS = 5000;

function follow(root) {
  const url = root.dataset.jobStatusUrl;
  const bar = root.querySelector("progress");
  const message = root.querySelector(".job-message");
  const error = root.querySelector(".job-error");
  const actions = document.querySelector(".job-actions");
  let wait = POLL_MS;

  const show = (status) => {
    root.dataset.jobState = status.state;
    if (status.state === "done" || status.state === "failed") {
      const hint = document.querySelector(".job-hint");
      if (hint) hint.hidden = true;
    }
    if (bar && typeof status.percent === "number") {
      bar.value = status.percent;
      bar.textContent = `${status.percent}%`;
    }
    if (message && status.message) message.textContent = status.message;
    if (status.state === "done" && status.result_url) {
      // A download (a report) leaves this page in place: keep a link to it here, and its notice
      // (sent only for a download; a result page shows the notice itself).
      const notice = document.querySelector(".job-notice");
      if (notice && status.notice) {
        notice.textContent = status.notice;
        notice.className = `msg msg-${status.notice_level || "info"} job-notice`;
        notice.hidden = false;
      }
      const link = document.querySelector(".job-result-link");
      if (link) {
        link.href = status.result_url;
        link.hidden = false;
      }
      if (actions) actions.hidden = false;
      window.location.assign(status.result_url);
      return true;
    }
    if (status.state === "failed") {
      if (error) {
        error.textContent = status.error || root.dataset.failedWords || "";
        error.hidden = false;
      }
      if (bar) bar.hidden = true;
      if (actions) actions.hidden = false;
      return true;
    }
    return false;
  };

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) throw new Error(String(response.status));
      if (show(await response.json())) return;
      wait = POLL_MS;
    } catch (_err) {
      if (message && root.dataset.lostWords) message.textContent = root.dataset.lostWords;
      wait = Math.min(wait * 2, MAX_POLL_MS);
    }
    window.setTimeout(poll, wait);
  };

  const state = root.dataset.jobState;
  if (state !== "done" && state !== "failed") window.setTimeout(poll, POLL_MS);
}

document.querySelectorAll("[data-job-status-url]").forEach(follow);
