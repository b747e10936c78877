// Follows a queued enrolment import: polls its JSON status and moves the progress bar, then
// reloads the page once the import has finished so the counts show what it did.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-polling]");
  if (!box) return;
  var url = box.getAttribute("data-import-status-url");
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-import-status]");
  var done = box.querySelector("[data-import-done]");
  var total = box.querySelector("[data-import-total]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 5000); return; }
        if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
        if (status) status.textContent = data.status_label;
        if (done) done.textContent = String(data.rows_done);
        if (total) total.textContent = String(data.rows_total);
        if (data.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
