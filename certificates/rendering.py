"""The certificate PDF: an HTML/CSS template rendered by WeasyPrint.

Takes plain values (no models), so the worker, the benchmark and the tests render
the same way. The signed credential travels inside the PDF as an attachment and
the QR code, drawn as inline SVG by segno, points at the public verification page.
Nothing is fetched over the network: fonts come from fontconfig, the logo arrives
as a data: URI, and the URL fetcher refuses every other scheme.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date

import segno
from django.db import models
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher

from .layout import name_fit, title_fit

MAX_SKILLS_PRINTED = 6
MAX_SKILLS_CHARACTERS = 110


class PageSize(models.TextChoices):
    A4 = "a4", "A4 landscape"
    LETTER = "letter", "US Letter landscape"


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


def certificate_html(document: CertificateDocument, *, page_size: str) -> str:
    name = name_fit(document.learner_name, page_size=page_size)
    title = title_fit(document.course_title, page_size=page_size)
    skills, more = _printed_skills(document.skills)
    qr = segno.make(document.verify_url, error="m")
    return render_to_string(
        "certificates/pdf/certificate.html",
        {
            "doc": document,
            "page_size": page_size,
            "name_size": name.font_size_pt,
            "title_size": title.font_size_pt,
            "skills": skills,
            "more_skills": more,
            # segno's markup is generated from our own URL, never from user input.
            "qr_svg": mark_safe(qr.svg_inline(omitsize=True, dark="#111827", border=0)),  # noqa: S308
        },
    )


def certificate_pdf(
    document: CertificateDocument, *, page_size: str, credential_json: str | None = None
) -> bytes:
    html = HTML(
        string=certificate_html(document, page_size=page_size),
        url_fetcher=URLFetcher(allowed_protocols=["data"]),
        base_url="data:,",
    )
    attachments = []
    if credential_json is not None:
        attachments.append(
            Attachment(
                string=credential_json.encode("utf-8"),
                name=credential_attachment_name(document.code),
                description="Signed Open Badges 3.0 credential (eddsa-jcs-2022)",
                relationship="Data",
            )
        )
    return html.write_pdf(attachments=attachments, pdf_identifier=document.code.encode())


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
