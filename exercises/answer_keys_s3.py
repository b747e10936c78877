"""The private storage of answer keys when uploads live in S3 (PMA_STORAGE=s3).

A bucket (or a prefix of the uploads bucket) that no CDN or public policy fronts. Its objects
have no URL, not even a signed one: answer keys reach people only through Django views that
check enrolment or a permission (see exercises/answer_keys.py). A module of its own so that
only the S3 configuration imports boto3.
"""

from __future__ import annotations

from typing import Any

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    def url(self, name: str, *args: Any, **kwargs: Any) -> str:
        raise ValueError("This file is not accessible via a URL.")
