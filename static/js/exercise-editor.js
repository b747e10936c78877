/* Exercise panel: turns answer textareas marked data-editor="python" into CodeMirror editors.
   The textarea stays the form field (CodeMirror writes back on submit), so the page works the
   same without JavaScript. Served from static/vendor, never a CDN. */
(function () {
  "use strict";

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
