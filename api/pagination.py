"""Keyset ("cursor") pagination over (sort key, id).

The cursor is the last row's sort key and id, signed, so it is opaque and cannot be forged; the
next page is the rows after that pair. Rows added meanwhile never shift a page (no offsets), and
each page is one query whatever its position. ninja's own CursorPagination keeps an offset among
equal keys instead, which rows added with an equal key would shift.
"""

from __future__ import annotations

from typing import Any
from urllib import parse

from django.core import signing
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from .errors import ApiError

SALT = "api.cursor"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageQuery(Schema):
    cursor: str | None = Field(
        None, description="The `next_cursor` of the page before; leave out for the first."
    )
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class KeysetPagination(PaginationBase):
    # Named for what it is in the OpenAPI schema (ninja names schemas after their class).
    Input = PageQuery  # type: ignore[assignment]

    class Output(Schema):
        results: list[Any]
        next_cursor: str | None = Field(
            description="Pass as `cursor` for the next page; null: no more."
        )
        next: str | None = Field(description="The next page's URL; null when this is the last.")

    items_attribute = "results"

    def __init__(self, *, key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key

    def _position(self, queryset: QuerySet, cursor: str) -> tuple[Any, int]:
        try:
            value, pk = signing.loads(cursor, salt=SALT)
            field = queryset.model._meta.get_field(self.key)
            return field.to_python(value), int(pk)
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise ApiError(400, _("The cursor is not valid."), code="invalid_cursor") from exc

    def _encode(self, row: Any) -> str:
        value = getattr(row, self.key)
        value = value.isoformat() if hasattr(value, "isoformat") else value
        return signing.dumps([value, row.pk], salt=SALT, compress=True)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        rows = queryset.order_by(self.key, "pk")
        if pagination.cursor:
            value, pk = self._position(queryset, pagination.cursor)
            rows = rows.filter(
                Q(**{f"{self.key}__gt": value}) | Q(**{self.key: value, "pk__gt": pk})
            )
        page = list(rows[: pagination.page_size + 1])
        more = len(page) > pagination.page_size
        page = page[: pagination.page_size]
        next_cursor = self._encode(page[-1]) if more and page else None
        return {
            "results": page,
            "next_cursor": next_cursor,
            "next": _with_cursor(request, next_cursor) if next_cursor else None,
        }


def _with_cursor(request: HttpRequest, cursor: str) -> str:
    scheme, netloc, path, query, fragment = parse.urlsplit(request.build_absolute_uri())
    params = parse.parse_qs(query, keep_blank_values=True)
    params["cursor"] = [cursor]
    return parse.urlunsplit(
        (scheme, netloc, path, parse.urlencode(sorted(params.items()), doseq=True), fragment)
    )
