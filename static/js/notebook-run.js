/* "Run to here" in the exercise panel: sends the answer form to the run view in the background
   (htmx.ajax), shows the run's status in the form's polite live region (the status partial polls
   itself every second while the run is queued or running) and, when it ends, each cell's output
   under its cell (out-of-band swaps in the same partial). Without this script the button posts the
   whole form and the page comes back with the outputs. */
(function () {
  "use strict";

  // The editors keep their textareas in sync as the learner types (exercise-editor.js); save
  // them once more so the run gets exactly what is on screen.
  function syncEditors(form) {
    form.querySelectorAll(".CodeMirror").forEach(function (element) {
      var editor = element.CodeMirror;
      if (editor && typeof editor.save === "function") {
        editor.save();
      }
    });
  }

  function statusOf(form) {
    return form ? form.querySelector("[data-run-status]") : null;
  }

  function isActive(form) {
    var status = statusOf(form);
    return Boolean(status && status.hasAttribute("data-run-active"));
  }

  // While a run is queued or running the buttons say so; a click then does nothing (the server
  // would refuse a second run, and the first one's status would be lost from view).
  function markBusy(form) {
    var busy = isActive(form) || form.hasAttribute("data-run-pending");
    form.querySelectorAll("button[data-run-to]").forEach(function (button) {
      button.setAttribute("aria-disabled", busy ? "true" : "false");
    });
  }

  function showWaiting(form, button) {
    form.querySelectorAll("[data-run-output]").forEach(function (slot) {
      slot.textContent = "";
      slot.classList.remove("run-output--shown");
    });
    // Until the run ends, the cell the learner ran to says so where they are looking.
    var slot = button.parentNode.querySelector("[data-run-output]");
    if (slot) {
      var note = document.createElement("p");
      note.className = "run-output__pending";
      note.setAttribute("data-run-placeholder", "");
      note.textContent = button.getAttribute("data-run-pending-text") || "";
      slot.appendChild(note);
      slot.classList.add("run-output--shown");
    }
  }

  function run(button) {
    var form = button.form;
    var status = statusOf(form);
    if (!status || typeof window.htmx === "undefined") {
      return false;
    }
    if (isActive(form) || form.hasAttribute("data-run-pending")) {
      return true;
    }
    syncEditors(form);
    form.setAttribute("data-run-pending", button.value);
    markBusy(form);
    window.htmx
      .ajax("POST", button.getAttribute("formaction"), {
        source: form,
        target: status,
        swap: "outerHTML",
        values: { up_to: button.value }
      })
      .then(function () {
        // Accepted: the earlier outputs go, and the chosen cell waits for its output. Refused:
        // the status says why and the earlier outputs stay.
        if (isActive(form)) {
          showWaiting(form, button);
        }
      })
      .finally(function () {
        form.removeAttribute("data-run-pending");
        markBusy(form);
      });
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-run-to]") : null;
    if (button && run(button)) {
      event.preventDefault();
    }
  });

  // When the run ends (or was lost), the buttons work again and a "waiting" note that no output
  // replaced goes away.
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("[data-run-status]").forEach(function (status) {
      var form = status.closest("form");
      if (!form) {
        return;
      }
      markBusy(form);
      if (isActive(form)) {
        return;
      }
      form.querySelectorAll("[data-run-placeholder]").forEach(function (note) {
        var slot = note.parentNode;
        note.remove();
        if (!slot.textContent.trim()) {
          slot.classList.remove("run-output--shown");
        }
      });
    });
  });

  // A refused run (too many, not enrolled, bad input) answers with the status partial and a 4xx
  // code: show it like any other state.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var code = event.detail.xhr ? event.detail.xhr.status : 0;
    if (target && target.hasAttribute("data-run-status") && code >= 400 && code < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-run-status]").forEach(function (status) {
      markBusy(status.closest("form"));
    });
  });
})();
