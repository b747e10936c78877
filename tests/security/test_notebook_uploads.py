"""Red team, upload layer: malformed notebooks are rejected with one clear sentence, never a traceback."""

from pathlib import Path

import pytest

from exercises.format import NotebookRejected, load_notebook_bytes

NOTEBOOKS = Path(__file__).resolve().parent.parent / "fixtures" / "notebooks"
LIMIT = 2 * 2**20


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "upload_not_utf8.ipynb",
            "The file is not UTF-8 text, so it is not a Jupyter notebook; upload the .ipynb file saved by Jupyter.",
        ),
        (
            "upload_not_json.ipynb",
            "The file is not valid JSON (line 3), so it is not a Jupyter notebook; upload the .ipynb file saved by Jupyter.",
        ),
        (
            "upload_json_list.ipynb",
            "The file holds a JSON array, not a notebook; upload the .ipynb file saved by Jupyter.",
        ),
        (
            "upload_nbformat3.ipynb",
            "The notebook uses format version 3 (from before 2015); open it in a current Jupyter and save it again to convert it to version 4.",
        ),
        (
            "upload_unknown_version.ipynb",
            "The notebook declares format version '7'; only version 4 notebooks are accepted.",
        ),
        ("upload_deep_nesting.ipynb", "The file nests JSON too deeply to be a Jupyter notebook."),
        (
            "upload_duplicate_cell_ids.ipynb",
            "Cell 2 repeats the cell id 'same'; every cell id must be unique. Open the notebook in a current Jupyter and save it again.",
        ),
    ],
)
def test_malformed_upload_is_rejected_with_a_clear_message(fixture, message):
    with pytest.raises(NotebookRejected) as caught:
        load_notebook_bytes((NOTEBOOKS / fixture).read_bytes(), max_bytes=LIMIT)

    assert str(caught.value) == message


def test_a_40_mb_upload_is_rejected_before_parsing():
    data = (
        b'{"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {"x": "'
        + b"a" * (40 * 2**20)
        + b'"}}'
    )

    with pytest.raises(NotebookRejected) as caught:
        load_notebook_bytes(data, max_bytes=LIMIT)

    assert str(caught.value) == (
        "The notebook is 40.0 MB, larger than the 2.0 MB limit; clear its outputs "
        "(Kernel > Restart & Clear Output) and upload it again."
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty; upload the .ipynb file saved by Jupyter."),
        (
            b"42",
            "The file holds a JSON number, not a notebook; upload the .ipynb file saved by Jupyter.",
        ),
        (b'{"cells": []}', "The file has no 'nbformat' version, so it is not a Jupyter notebook."),
        (
            b'{"cells": "x", "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            "The notebook has no list of cells.",
        ),
        (
            b'{"cells": [{"cell_type": "spreadsheet", "metadata": {}, "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}',
            "The notebook does not follow the Jupyter notebook format: ",
        ),
    ],
)
def test_other_shapes_are_rejected(data, message):
    with pytest.raises(NotebookRejected) as caught:
        load_notebook_bytes(data, max_bytes=LIMIT)

    assert str(caught.value).startswith(message)
    assert "Traceback" not in str(caught.value)


def test_a_valid_notebook_loads(tmp_path):
    data = (
        Path(__file__).resolve().parent.parent
        / "fixtures"
        / "exercises"
        / "rice_nbgrader_schema3.ipynb"
    ).read_bytes()

    nb = load_notebook_bytes(data, max_bytes=LIMIT)

    assert nb.nbformat == 4
    assert nb.cells[3].metadata.nbgrader.grade_id == "rice_answer"
