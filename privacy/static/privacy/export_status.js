// The data export's progress on the privacy page: polls the export's JSON status every two
// seconds while it is being built, then shows the download link. Without JavaScript the page
// shows the same after a reload.
(function () {
  "use strict";
  const box = document.getElementById("privacy-export");
  if (!box || !box.dataset.statusUrl) {
    return;
  }
  const bar = box.querySelector("[data-export-progress]");
  const percent = box.querySelector("[data-export-percent]");
  const label = box.querySelector("[data-export-label]");
  const message = box.querySelector("[data-export-message]");
  const download = box.querySelector("[data-export-download]");
  let failures = 0;

  function show(state) {
    if (bar) bar.value = state.progress;
    if (percent) percent.textContent = String(state.progress);
    if (label) label.textContent = state.label;
    if (!state.done) return false;
    if (state.download_url && download) {
      download.querySelector("a").href = state.download_url;
      download.hidden = false;
      if (message) message.textContent = box.dataset.readyLabel;
    } else if (message) {
      message.textContent = box.dataset.failedLabel;
    }
    return true;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        if (!show(state)) window.setTimeout(poll, 2000);
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
