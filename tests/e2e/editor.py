"""The exercise panel's CodeMirror editor, driven as a person types into it."""

from __future__ import annotations


def editor_selector(exercise_id: int, grade_id: str) -> str:
    """CodeMirror puts its editor right after the textarea it enhances."""
    return f"#exercise-{exercise_id}-{grade_id} + .CodeMirror"


def editor_text(page, exercise_id: int, grade_id: str) -> str:
    return page.locator(editor_selector(exercise_id, grade_id)).evaluate(
        "el => el.CodeMirror.getValue()"
    )


def replace_in_editor(page, exercise_id: int, grade_id: str, text: str) -> None:
    """Focus the editor, select everything and type `text` over it.

    insert_text sends the text as one input, the way a paste does, so CodeMirror's auto-indent
    does not indent the answer's lines a second time.
    """
    selector = editor_selector(exercise_id, grade_id)
    page.locator(selector).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)
    wait_for_editor_text(page, selector, text)


def wait_for_editor_text(page, selector: str, text: str) -> None:
    """CodeMirror reads what was typed into its editable area a moment later; wait for it.

    A trailing newline may or may not survive the browser's editing, and does not change the code.
    """
    try:
        page.wait_for_function(
            "([selector, text]) => document.querySelector(selector).CodeMirror.getValue().trimEnd() === text",
            arg=[selector, text.rstrip()],
            timeout=10_000,
        )
    except Exception as exc:
        typed = page.locator(selector).evaluate("el => el.CodeMirror.getValue()")
        raise AssertionError(f"the editor {selector} holds {typed!r}, not the text typed") from exc
