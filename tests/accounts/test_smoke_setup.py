import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_apply_and_checks_pass():
    call_command("check")
