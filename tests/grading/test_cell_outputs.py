"""Learner cell outputs are made safe: text as text, PNG only, no HTML or JavaScript, no hidden tests."""

import base64

from grading.cell_outputs import _sanitise

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def msg(kind, **content):
    return {"msg_type": kind, "content": content}


def test_text_streams_merge_and_rich_outputs_become_text_or_notes():
    items = _sanitise([
        msg("stream", name="stdout", text="a"),
        msg("stream", name="stdout", text="b\n"),
        msg("display_data", data={"text/html": "<script>alert(1)</script>", "text/plain": "<Table>"}),
        msg("display_data", data={"application/javascript": "alert(1)"}),
        msg("execute_result", data={"image/png": base64.b64encode(PNG).decode()}),
        msg("display_data", data={"image/png": base64.b64encode(b"<svg onload=alert(1)>").decode()}),
        msg("error", ename="ValueError", evalue="\x1b[31mbad\x1b[0m", traceback=["..."]),
    ], hidden=[])

    assert items == [
        {"type": "text", "name": "stdout", "text": "ab\n"},
        {"type": "text", "text": "<Table>"},
        {"type": "note", "text": "An output of type application/javascript is not shown here; only text and PNG images are."},
        {"type": "image", "png": base64.b64encode(PNG).decode()},
        {"type": "note", "text": "An image output is not shown: only PNG images up to 512 KB are."},
        {"type": "error", "text": "ValueError: bad"},
    ]


def test_outputs_quoting_a_hidden_test_are_replaced_and_clear_output_clears():
    hidden = ['assert abs(rice_score(300, 3, 0.8, 3) - 240) < 1e-9']
    items = _sanitise([
        msg("stream", name="stdout", text="old"),
        msg("clear_output", wait=False),
        msg("stream", name="stdout", text=f"In: {hidden[0]}"),
    ], hidden=hidden)
    assert items == [{"type": "text", "name": "stdout",
                      "text": "The check failed; its details come from a hidden test and are not shown."}]
