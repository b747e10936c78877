/* Exercise panel: turns answer textareas marked data-editor="python" into CodeMirror editors.
   The textarea stays the form field, so the page works the same without JavaScript. Every
   change is written back to it at once and announced with an "input" event, so scripts that
   read the textareas (autosave in exercise-drafts.js, runs in notebook-run.js) always see the
   current text. window.PMAExerciseEditor.setText replaces a cell's text as an undoable edit.
   Served from static/vendor, never a CDN. */
(function () {
  "use strict";

  var editors = new WeakMap();

  function announce(textarea) {
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  /* Replace the text of an answer cell the way a person would: one undoable edit (Ctrl+Z in
     the editor brings the old text back), and an "input" event like typing gives. */
  function setText(textarea, text) {
    var editor = editors.get(textarea);
    if (editor) {
      if (editor.getValue() !== text) {
        var last = editor.lastLine();
        editor.replaceRange(text, { line: 0, ch: 0 }, { line: last, ch: editor.getLine(last).length }, "+pma-set");
      }
      return;
    }
    if (textarea.value === text) {
      return;
    }
    var previous = document.activeElement;
    textarea.focus();
    textarea.select();
    // execCommand keeps the browser's own undo history for a plain textarea; where it is not
    // supported the text is set directly.
    var done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (error) {
      done = false;
    }
    if (!done || textarea.value !== text) {
      textarea.value = text;
      announce(textarea);
    }
    if (previous && previous !== textarea && typeof previous.focus === "function") {
      previous.focus();
    }
  }

  window.PMAExerciseEditor = {
    setText: setText,
    editorFor: function (textarea) {
      return editors.get(textarea) || null;
    },
    enhance: function (root) {
      enhance(root);
    }
  };

  function enhance(root) {
    if (typeof window.CodeMirror === "undefined") {
      return;
    }
    root.querySelectorAll('textarea[data-editor="python"]').forEach(function (textarea) {
      if (textarea.dataset.enhanced) {
        return;
      }
      textarea.dataset.enhanced = "1";
      var editor = window.CodeMirror.fromTextArea(textarea, {
        mode: { name: "python", version: 3 },
        // The editable area sits inside the editor's scroll region (the hidden textarea of the
        // default input style does not), so keyboard and screen reader users reach the code itself.
        inputStyle: "contenteditable",
        lineNumbers: true,
        indentUnit: 4,
        tabSize: 4,
        indentWithTabs: false,
        viewportMargin: Infinity,
        extraKeys: {
          Tab: function (cm) {
            cm.replaceSelection("    ");
          },
          // Keyboard users must be able to leave the editor.
          Esc: function (cm) {
            cm.getInputField().blur();
          }
        }
      });
      editors.set(textarea, editor);
      editor.on("change", function () {
        editor.save();
        announce(textarea);
      });
      editor.getInputField().setAttribute("aria-labelledby", textarea.id + "-label");
      var label = document.querySelector('label[for="' + textarea.id + '"]');
      if (label) {
        label.id = textarea.id + "-label";
        label.addEventListener("click", function () {
          editor.focus();
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    enhance(event.target);
  });
})();
