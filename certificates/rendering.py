"""The certificate PDF: an HTML/CSS template rendered by WeasyPrint.

Takes plain values (no models), so the worker, the benchmark and the tests render
the same way. The signed credential travels inside the PDF as an attachment and
the QR code (segno; a PNG of one pixel per module, printed unsmoothed) points at the public
verification page.
Nothing is fetched over the network: fonts come from fontconfig, the logo arrives
as a data: URI, and the URL fetcher refuses every other scheme.

A worker renders thousands of these, so the work that is the same for every
certificate is done once per thread and kept: the font configuration (a fresh one
makes Pango and fontconfig rebuild their caches, two thirds of a cold render), the
parsed stylesheet, and decoded images such as course logos.
"""

from __future__ import annotations

import base64
import io
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pydyf
import segno
from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .layout import name_fit, title_fit

MAX_SKILLS_PRINTED = 6
MAX_SKILLS_CHARACTERS = 110
STYLESHEET_TEMPLATE = "certificates/pdf/certificate.css"
# Logos are few (one per course); the bound only stops a long-lived worker from growing.
MAX_CACHED_IMAGES = 32


class PageSize(models.TextChoices):
    A4 = "a4", _("A4 landscape")
    LETTER = "letter", _("US Letter landscape")


@dataclass(frozen=True)
class CertificateDocument:
    code: str
    learner_name: str
    course_title: str
    issued_on: date
    score_band: str
    verify_url: str
    verify_index_url: str
    issuer_name: str
    instructor_name: str = ""
    skills: list[str] = field(default_factory=list)
    expires_on: date | None = None
    logo_data_uri: str | None = None
    #: The language the certificate prints in (its words, dates and score band).
    language: str = ""


class _Renderer:
    """What every render in this thread shares. Pango's font map is not thread-safe, so
    each thread builds its own on first use."""

    def __init__(self) -> None:
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            string=render_to_string(STYLESHEET_TEMPLATE), font_config=self.font_config
        )
        self.url_fetcher = URLFetcher(allowed_protocols=["data"])
        self.images: dict = {}

    def image_cache(self) -> dict:
        if len(self.images) > MAX_CACHED_IMAGES:
            self.images.clear()
        return self.images


_renderer_state = threading.local()


def _renderer() -> _Renderer:
    renderer = getattr(_renderer_state, "renderer", None)
    if renderer is None:
        renderer = _renderer_state.renderer = _Renderer()
    return renderer


def certificate_html(
    document: CertificateDocument, *, page_size: str, inline_styles: bool = True
) -> str:
    """The certificate as one HTML document. With inline_styles=False the stylesheet is left
    out because certificate_pdf passes its pre-parsed copy; the markup is otherwise the same."""
    with translation.override(document.language or settings.LANGUAGE_CODE):
        return _certificate_html(document, page_size=page_size, inline_styles=inline_styles)


def _certificate_html(document: CertificateDocument, *, page_size: str, inline_styles: bool) -> str:
    name = name_fit(document.learner_name, page_size=page_size)
    title = title_fit(document.course_title, page_size=page_size)
    skills, more = _printed_skills(document.skills)
    return render_to_string(
        "certificates/pdf/certificate.html",
        {
            "doc": document,
            "page_size": page_size,
            "inline_styles": inline_styles,
            "name_size": name.font_size_pt,
            "title_size": title.font_size_pt,
            "skills": skills,
            "more_skills": more,
            "qr_data_uri": _qr_png_data_uri(document.verify_url),
            "language": translation.get_language(),
        },
    )


def certificate_pdf(
    document: CertificateDocument, *, page_size: str, credential_json: str | None = None
) -> bytes:
    renderer = _renderer()
    html = HTML(
        string=certificate_html(document, page_size=page_size, inline_styles=False),
        url_fetcher=renderer.url_fetcher,
        base_url="data:,",
    )
    attachments = []
    if credential_json is not None:
        attachments.append(
            Attachment(
                string=credential_json.encode("utf-8"),
                name=credential_attachment_name(document.code),
                description=_attachment_description(document.language),
                relationship="Data",
            )
        )
    return html.write_pdf(
        finisher=_attachments_marked_as_data if attachments else None,
        attachments=attachments,
        pdf_identifier=document.code.encode(),
        font_config=renderer.font_config,
        stylesheets=[renderer.stylesheet],
        cache=renderer.image_cache(),
    )


def _attachment_description(language: str) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        return gettext("Signed Open Badges 3.0 credential (Data Integrity proofs)")


@lru_cache(maxsize=64)
def _qr_png_data_uri(url: str) -> str:
    """The QR code as a PNG of one pixel per module, drawn without interpolation
    (`image-rendering: pixelated` in the stylesheet), so every module prints as a sharp square
    at any resolution. As an SVG path, WeasyPrint parsed ~1,100 numbers in Python on every
    render (~19 ms, a third of a render); a small image is decoded once and cached.
    Encoding is pure Python (about 5 ms), and both page sizes print the same code: made once."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=1, border=0, dark="#111827")
    return image_data_uri(buffer.getvalue(), mime_type="image/png")


def _attachments_marked_as_data(document, pdf: pydyf.PDF) -> None:
    """Mark the attached credential as an associated file of the document, relationship Data.

    PDF 2.0 (ISO 32000-2, 14.13) and PDF/A-3 say how: the file specification carries
    `/AFRelationship /Data` and the document catalog lists it in `/AF`. WeasyPrint writes both
    only for PDF/A output, so this finisher writes them for ours; readers that do not know
    associated files still list it as an ordinary attachment.
    """
    specifications = [
        item
        for item in pdf.objects
        if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/Filespec"
    ]
    for specification in specifications:
        specification["AFRelationship"] = "/Data"
    pdf.catalog["AF"] = pydyf.Array(specification.reference for specification in specifications)


def credential_attachment_name(code: str) -> str:
    return f"{code}.credential.json"


def image_data_uri(data: bytes, *, mime_type: str) -> str:
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def _printed_skills(skills: list[str]) -> tuple[list[str], int]:
    printed: list[str] = []
    used = 0
    for skill in skills[:MAX_SKILLS_PRINTED]:
        if printed and used + len(skill) > MAX_SKILLS_CHARACTERS:
            break
        printed.append(skill)
        used += len(skill) + 3
    return printed, len(skills) - len(printed)
