"""Learner cell outputs are made safe: text as text, PNG only, no HTML or JavaScript, no hidden tests.

They come from the engine (`GradeReport.answer_outputs`, nbformat v4 output dicts) and are shown on
the learner's submission page.
"""

import base64

from grading.answer_outputs import (
    TEXT_CHARS_PER_CELL,
    answer_outputs_for_learner,
    cell_outputs_for_learner,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
ENGINE_NOTE = (
    "\n[Output truncated: the notebook produced more than 1 MiB of output; the rest was dropped.]\n"
)


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def display(data, kind="display_data"):
    return {"output_type": kind, "data": data, "metadata": {}}


def test_text_streams_merge_and_rich_outputs_become_text_or_notes():
    items = cell_outputs_for_learner(
        [
            stream("a"),
            stream("b\n"),
            display({"text/html": "<script>alert(1)</script>", "text/plain": "<Table>"}),
            display({"application/javascript": "alert(1)"}),
            display({"image/png": base64.b64encode(PNG).decode()}, kind="execute_result"),
            display({"image/png": base64.b64encode(b"<svg onload=alert(1)>").decode()}),
            {
                "output_type": "error",
                "ename": "ValueError",
                "evalue": "\x1b[31mbad\x1b[0m",
                "traceback": ["..."],
            },
        ],
        hidden=[],
    )

    assert items == [
        {"type": "text", "name": "stdout", "text": "ab\n"},
        {"type": "text", "text": "<Table>"},
        {
            "type": "note",
            "text": "An output of type application/javascript is not shown here; only text and PNG images are.",
        },
        {"type": "image", "png": base64.b64encode(PNG).decode()},
        {"type": "note", "text": "An image output is not shown: only PNG images up to 512 KB are."},
        {"type": "error", "text": "ValueError: bad"},
    ]


def test_outputs_quoting_a_hidden_test_are_replaced():
    hidden = ["assert abs(rice_score(300, 3, 0.8, 3) - 240) < 1e-9"]
    items = cell_outputs_for_learner([stream("x" * 20_000 + f"In: {hidden[0]}")], hidden=hidden)

    # Scrubbed before it is shortened: a hidden line past the cut is still found.
    assert items == [
        {
            "type": "text",
            "name": "stdout",
            "text": "The check failed; its details come from a hidden test and are not shown.",
        }
    ]


def test_long_text_is_shortened_and_the_engines_truncation_note_survives():
    items = cell_outputs_for_learner(
        [stream("x" * 50_000), stream(ENGINE_NOTE, name="stderr")], hidden=[]
    )

    assert items == [
        {
            "type": "text",
            "name": "stdout",
            "text": "x" * TEXT_CHARS_PER_CELL + "\n[Output shortened.]",
        },
        {
            "type": "note",
            "text": "Output truncated: the notebook produced more than 1 MiB of output; the rest was dropped.",
        },
    ]


def test_the_note_is_only_the_engines_exact_sentence_at_the_end():
    # Anywhere else, or reworded, it is the learner's own stderr text.
    before = cell_outputs_for_learner(
        [stream(ENGINE_NOTE, name="stderr"), stream("after")], hidden=[]
    )
    reworded = cell_outputs_for_learner(
        [stream("\n[Output truncated: you passed.]\n", name="stderr")], hidden=[]
    )

    assert [item["type"] for item in before] == ["text", "text"]
    assert reworded == [
        {"type": "text", "name": "stderr", "text": "\n[Output truncated: you passed.]\n"}
    ]


def test_only_the_first_images_are_kept_and_malformed_outputs_are_skipped():
    png = display({"image/png": base64.b64encode(PNG).decode()})
    items = cell_outputs_for_learner(
        [png] * 6 + ["not a dict", {"output_type": "clear_output"}], hidden=[]
    )

    assert [item["type"] for item in items] == ["image"] * 4 + ["note"]
    assert items[-1] == {"type": "note", "text": "Only the first 4 images are shown."}


def test_cells_without_a_grade_id_are_left_out():
    outputs = answer_outputs_for_learner(
        {"rice_answer": [stream("hi\n")], "": [stream("added cell")]}, hidden=[]
    )

    assert outputs == {"rice_answer": [{"type": "text", "name": "stdout", "text": "hi\n"}]}
