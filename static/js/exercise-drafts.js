/* Exercise drafts: the answer form (grading/includes/exercise_panel.html, marked data-drafts)
   saves its answer cells to the server as the learner types (1.5 s after the last change, at
   once when a cell loses focus, and when the page is hidden or left), and says how it went in
   the status line. Each save names the draft version it was typed on; when another tab or
   device saved a newer one, the server refuses (409) and the notice asks which draft to keep.
   Without JavaScript the form's own "Save draft" and "Reset" buttons post to the server. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 1500;
  var KEEPALIVE_MAX_BYTES = 60000; // browsers refuse keepalive bodies over 64 KiB
  var RETRY_MS = [5000, 10000, 20000, 40000, 60000];

  function Drafts(form) {
    this.form = form;
    this.url = form.getAttribute("data-draft-url");
    this.versionInput = form.querySelector("[data-draft-version]");
    this.version = parseInt(this.versionInput.value, 10) || 0;
    this.status = form.querySelector("[data-draft-status]");
    this.notice = form.querySelector("[data-draft-notice]");
    this.template = form.querySelector("[data-draft-conflict-template]");
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
    this.csrf = token ? token.value : "";
    this.dirty = false;
    this.inflight = false;
    this.again = false;
    this.timer = null;
    this.retries = 0;
    this.conflict = null;
    this.applying = false;
    this.stopped = false;
  }

  Drafts.prototype.message = function (name) {
    return this.status.getAttribute("data-msg-" + name) || "";
  };

  Drafts.prototype.say = function (text, state) {
    this.status.textContent = text;
    this.status.setAttribute("data-state", state);
  };

  Drafts.prototype.notSaved = function (reason) {
    this.say(this.message("not-saved").replace("%(reason)s", reason), "error");
  };

  Drafts.prototype.cells = function () {
    return Array.prototype.slice.call(this.form.querySelectorAll('textarea[name^="answer-"]'));
  };

  Drafts.prototype.answers = function () {
    var answers = {};
    this.cells().forEach(function (textarea) {
      answers[textarea.name.slice("answer-".length)] = textarea.value;
    });
    return answers;
  };

  Drafts.prototype.setVersion = function (version) {
    this.version = version;
    this.versionInput.value = String(version);
  };

  Drafts.prototype.schedule = function (delay) {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.save({});
    }, delay === undefined ? DEBOUNCE_MS : delay);
  };

  Drafts.prototype.changed = function () {
    if (this.applying || this.stopped) {
      return;
    }
    this.dirty = true;
    // The words stay until the save starts (a screen reader hears each save once), but the
    // state says at once that the text on the page is newer than the saved draft.
    if (this.status.getAttribute("data-state") !== "error") {
      this.status.setAttribute("data-state", "changed");
    }
    if (!this.conflict) {
      this.schedule();
    }
  };

  Drafts.prototype.flush = function (keepalive) {
    if (!this.dirty || this.conflict || this.stopped) {
      return;
    }
    window.clearTimeout(this.timer);
    if (keepalive && this.inflight) {
      // The page is going away while a save is on its way: send the newest text now, on the
      // version that save will most likely make. Should it not, the server refuses this one
      // (409) rather than overwrite anything.
      this.send(this.version + 1, true);
      return;
    }
    this.save({ keepalive: keepalive });
  };

  Drafts.prototype.send = function (version, keepalive) {
    var body = JSON.stringify({ version: version, answers: this.answers() });
    var init = {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": this.csrf,
        "X-Requested-With": "XMLHttpRequest"
      },
      body: body
    };
    if (keepalive && body.length < KEEPALIVE_MAX_BYTES) {
      init.keepalive = true;
    }
    return fetch(this.url, init);
  };

  Drafts.prototype.save = function (options) {
    var self = this;
    if (this.conflict || this.stopped) {
      return;
    }
    if (this.inflight) {
      this.again = true;
      return;
    }
    window.clearTimeout(this.timer);
    this.dirty = false;
    this.again = false;
    this.inflight = true;
    this.say(this.message("saving"), "saving");
    this.send(this.version, options.keepalive)
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            self.answered(response, data);
          });
      })
      .catch(function () {
        self.dirty = true;
        self.notSaved(self.message(navigator.onLine === false ? "offline" : "server"));
        self.retry();
      })
      .then(function () {
        self.inflight = false;
        // Changes typed while this save was on its way go in the next one.
        if (self.again && !self.conflict && !self.stopped) {
          self.again = false;
          self.schedule();
        }
      });
  };

  Drafts.prototype.retry = function () {
    var delay = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
    this.retries += 1;
    this.schedule(delay);
  };

  Drafts.prototype.answered = function (response, data) {
    var reason = data && data.message ? data.message : "";
    if (response.ok && data) {
      this.retries = 0;
      this.setVersion(data.version);
      if (!this.dirty) {
        this.say(data.status, "saved");
      }
      return;
    }
    this.dirty = true;
    if (response.status === 409 && data && data.draft) {
      this.retries = 0;
      this.showConflict(reason, data.draft);
    } else if (response.status === 429 || response.status >= 500) {
      this.notSaved(reason || this.message("server"));
      this.retry();
    } else if (response.status === 401 || response.status === 403) {
      // Logged out, not enrolled, or the page's CSRF token is no longer valid: saving again
      // cannot help until the learner acts, and the text stays on the page.
      this.stopped = true;
      this.notSaved(reason || this.message("session"));
    } else {
      // 400, 404, 413: this text cannot be saved as it is; the next change tries again.
      this.retries = 0;
      this.notSaved(reason || this.message("server"));
    }
  };

  Drafts.prototype.showConflict = function (reason, draft) {
    var self = this;
    this.conflict = draft;
    window.clearTimeout(this.timer);
    this.notSaved(this.message("conflict"));
    var notice = this.template.content.firstElementChild.cloneNode(true);
    notice.querySelector("[data-draft-conflict-message]").textContent = reason;
    notice.querySelector("[data-draft-load]").addEventListener("click", function () {
      self.loadNewer();
    });
    notice.querySelector("[data-draft-keep]").addEventListener("click", function () {
      self.keepMine();
    });
    this.notice.replaceChildren(notice);
  };

  Drafts.prototype.closeConflict = function () {
    this.conflict = null;
    this.notice.replaceChildren();
  };

  Drafts.prototype.setCell = function (textarea, text) {
    this.applying = true;
    try {
      if (window.PMAExerciseEditor) {
        window.PMAExerciseEditor.setText(textarea, text);
      } else if (textarea.value !== text) {
        textarea.value = text;
      }
    } finally {
      this.applying = false;
    }
  };

  Drafts.prototype.loadNewer = function () {
    var self = this;
    var draft = this.conflict;
    this.cells().forEach(function (textarea) {
      var gradeId = textarea.name.slice("answer-".length);
      if (Object.prototype.hasOwnProperty.call(draft.answers, gradeId)) {
        self.setCell(textarea, draft.answers[gradeId]);
      }
    });
    this.setVersion(draft.version);
    this.dirty = false;
    this.closeConflict();
    this.say(this.message("loaded"), "saved");
  };

  Drafts.prototype.keepMine = function () {
    this.setVersion(this.conflict.version);
    this.closeConflict();
    this.dirty = true;
    this.save({});
  };

  Drafts.prototype.reset = function (gradeId, button) {
    var textarea = this.cells().filter(function (cell) {
      return cell.getAttribute("data-grade-id") === gradeId;
    })[0];
    if (!textarea) {
      return;
    }
    // The reset is an edit like any other: undoable in the editor, then saved.
    if (window.PMAExerciseEditor) {
      window.PMAExerciseEditor.setText(textarea, textarea.getAttribute("data-original") || "");
    } else {
      textarea.value = textarea.getAttribute("data-original") || "";
      this.changed();
    }
    var details = button.closest("details");
    if (details) {
      details.open = false;
    }
    var editor = window.PMAExerciseEditor && window.PMAExerciseEditor.editorFor(textarea);
    if (editor) {
      editor.focus();
    } else {
      textarea.focus();
    }
    this.flush(false);
  };

  /* Back from the browser's page cache, the page may hold an old version: ask for the newest. */
  Drafts.prototype.refresh = function () {
    var self = this;
    fetch(this.url, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (draft) {
        if (!draft || draft.version <= self.version) {
          return;
        }
        var mine = self.answers();
        var same = Object.keys(draft.answers).every(function (key) {
          return mine[key] === draft.answers[key];
        });
        if (same) {
          self.setVersion(draft.version);
          self.say(draft.status, "saved");
        } else {
          self.dirty = true;
          self.showConflict("", draft);
        }
      })
      .catch(function () {
        return null;
      });
  };

  Drafts.prototype.start = function () {
    var self = this;
    var form = this.form;
    form.querySelectorAll("[data-js-only]").forEach(function (element) {
      element.hidden = false;
    });
    if (this.status.getAttribute("data-state") === "empty") {
      this.say(this.message("idle"), "empty");
    }
    form.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches('textarea[name^="answer-"]')) {
        self.changed();
      }
    });
    form.addEventListener("focusout", function (event) {
      var cell = event.target.closest && event.target.closest(".exercise-cell--answer");
      if (cell && !cell.contains(event.relatedTarget)) {
        self.flush(false);
      }
    });
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.hasAttribute("data-draft-save")) {
        event.preventDefault();
        self.dirty = true;
        self.flush(false);
      } else if (submitter && submitter.hasAttribute("data-draft-reset")) {
        event.preventDefault();
        self.reset(submitter.getAttribute("data-draft-reset"), submitter);
      } else {
        // Check or Submit: the server saves what is sent as the draft.
        window.clearTimeout(self.timer);
        self.dirty = false;
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        self.flush(true);
      }
    });
    window.addEventListener("pagehide", function () {
      self.flush(true);
    });
    // Text that cannot be saved (a conflict not yet settled, a lost session) is not left
    // without a word.
    window.addEventListener("beforeunload", function (event) {
      if (self.dirty && (self.conflict || self.stopped)) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        self.refresh();
      }
    });
    window.addEventListener("online", function () {
      if (self.dirty) {
        self.retries = 0;
        self.flush(false);
      }
    });
  };

  function startAll(root) {
    root.querySelectorAll("form[data-drafts]").forEach(function (form) {
      if (form.pmaDrafts || !form.querySelector("[data-draft-version]")) {
        return;
      }
      form.pmaDrafts = new Drafts(form);
      form.pmaDrafts.start();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startAll(document);
  });
})();
