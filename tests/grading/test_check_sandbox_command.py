"""manage.py check_sandbox tells the operator whether grading can run here, and how to fix it."""

import io

import pytest
from django.core.management import call_command

from grading.engine.hostcheck import BWRAP_ENV


@pytest.mark.sandbox
def test_a_complete_host_passes():
    out = io.StringIO()

    call_command("check_sandbox", stdout=out)

    assert "[ok ] bubblewrap:" in out.getvalue()
    assert out.getvalue().rstrip().endswith("The grading sandbox can run on this host.")


def test_a_missing_bubblewrap_fails_closed_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv(BWRAP_ENV, str(tmp_path / "no-such-bwrap"))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as excinfo:
        call_command("check_sandbox", stdout=out, stderr=err)

    assert excinfo.value.code == 1
    assert "[MISSING] bubblewrap" in out.getvalue()
    assert "apt-get install bubblewrap" in out.getvalue()
    assert "Grading fails closed" in err.getvalue()
