"""The certificate PDF: text, fonts, layout limits, the QR code and the attached credential."""

import io
import json
import shutil
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from certificates.rendering import CertificateDocument, PageSize, certificate_html, certificate_pdf

CODE = "PMA-7KQ2-M9XD-4HTN-WB3C-R6FE"
VERIFY_URL = f"http://testserver/verify/{CODE}/"
LONGEST_LATIN_NAME = "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Ångström WW"  # 60 characters
LONGEST_TITLE = (
    "Advanced Product Prioritization with RICE, ICE, Kano, MoSCoW, WSJF and Cost of "
    "Delay for Cross-functional Teams in Regulated Industries "
) * 2


def _document(**overrides) -> CertificateDocument:
    values = {
        "code": CODE,
        "learner_name": "Ada Lovelace",
        "course_title": "Prioritization in Practice",
        "issued_on": date(2026, 11, 26),
        "score_band": "Merit",
        "verify_url": VERIFY_URL,
        "verify_index_url": "http://testserver/verify/",
        "issuer_name": "PM Academy",
        "instructor_name": "Marty Cagan",
        "skills": ["Cost of delay", "RICE"],
        "expires_on": date(2028, 11, 26),
    }
    values.update(overrides)
    return CertificateDocument(**values)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            # WeasyPrint names subsets like "ABCDEF+Noto-Serif-Bold".
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1].replace("-", ""))
    return names


def _name_lines(document: CertificateDocument, page_size: str) -> tuple[int, int]:
    """(pages, line boxes of the printed name) from WeasyPrint's own layout."""
    rendered = HTML(string=certificate_html(document, page_size=page_size)).render()

    def walk(box):
        yield box
        for child in getattr(box, "children", []):
            yield from walk(child)

    name_boxes = [
        box
        for box in walk(rendered.pages[0]._page_box)
        if box.element is not None
        and box.element.get("class") == "name"
        and type(box).__name__ == "BlockBox"
    ]
    lines = [child for child in name_boxes[0].children if type(child).__name__ == "LineBox"]
    return len(rendered.pages), len(lines)


def test_pdf_text_has_name_course_code_band_and_dates():
    text = _text(certificate_pdf(_document(), page_size=PageSize.A4))
    for expected in (
        "Ada Lovelace",
        "Prioritization in Practice",
        CODE,
        "Merit",
        "Issued 26 November 2026",
        "Valid until 26 November 2028",
        "Marty Cagan",
        "Cost of delay",
        "Certificate of Completion",
    ):
        assert expected in text


@pytest.mark.parametrize(
    ("page_size", "width", "height"), [("a4", 841.89, 595.28), ("letter", 792.0, 612.0)]
)
def test_page_sizes_are_landscape(page_size, width, height):
    page = PdfReader(io.BytesIO(certificate_pdf(_document(), page_size=page_size))).pages[0]
    assert float(page.mediabox.width) == pytest.approx(width, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(height, abs=0.5)


def test_real_bold_and_italic_faces_are_embedded():
    fonts = _fonts(certificate_pdf(_document(), page_size=PageSize.A4))
    assert {"NotoSerifBold", "NotoSerifItalic", "NotoSansBold", "NotoSans", "NotoSerif"} <= fonts


@pytest.mark.parametrize(
    ("name", "font"),
    [
        ("王小明", "NotoSerifCJK"),
        ("محمد عبد الرحمن", "NotoNaskhArabic"),
        ("देवनागरी अनुच्छेद", "NotoSerifDevanagari"),
    ],
    ids=["cjk", "arabic", "devanagari"],
)
def test_non_latin_names_print_with_real_glyphs(name, font):
    pdf = certificate_pdf(_document(learner_name=name), page_size=PageSize.A4)
    assert any(embedded.startswith(font) for embedded in _fonts(pdf)), _fonts(pdf)
    if font == "NotoSerifCJK":
        assert name in _text(pdf)


@pytest.mark.parametrize("page_size", ["a4", "letter"])
@pytest.mark.parametrize(
    "name",
    [LONGEST_LATIN_NAME, "王" * 30 + "明" * 30, "محمد " * 12, "अनुच्छेद " * 5 + "देवनागरी लिपि"],
    ids=["latin", "cjk", "arabic", "devanagari"],
)
def test_names_up_to_60_characters_stay_on_one_page(page_size, name):
    assert len(name) <= 60
    pages, lines = _name_lines(
        _document(learner_name=name, course_title=LONGEST_TITLE[:255]), page_size
    )
    assert pages == 1
    assert lines <= 2


@pytest.mark.parametrize("page_size", ["a4", "letter"])
def test_a_long_latin_name_shrinks_to_one_line(page_size):
    assert _name_lines(_document(learner_name=LONGEST_LATIN_NAME), page_size) == (1, 1)
    html = certificate_html(_document(learner_name=LONGEST_LATIN_NAME), page_size=page_size)
    short = certificate_html(_document(learner_name="Ada Lovelace"), page_size=page_size)
    assert 'style="font-size: 40.0pt"' in short
    assert 'style="font-size: 40.0pt"' not in html


def test_the_signed_credential_is_attached():
    credential = json.dumps({"id": VERIFY_URL, "proof": {"proofValue": "z123"}})
    reader = PdfReader(
        io.BytesIO(certificate_pdf(_document(), page_size=PageSize.A4, credential_json=credential))
    )
    assert list(reader.attachments) == [f"{CODE}.credential.json"]
    assert json.loads(reader.attachments[f"{CODE}.credential.json"][0]) == json.loads(credential)


def test_the_credential_is_an_associated_file_marked_as_data():
    """PDF 2.0, 14.13: the catalog's /AF lists the file specification, which says /Data."""
    credential = json.dumps({"id": VERIFY_URL})
    reader = PdfReader(
        io.BytesIO(certificate_pdf(_document(), page_size=PageSize.A4, credential_json=credential))
    )
    associated = [reference.get_object() for reference in reader.trailer["/Root"]["/AF"]]
    assert [spec["/F"] for spec in associated] == [f"{CODE}.credential.json"]
    assert [spec["/AFRelationship"] for spec in associated] == ["/Data"]
    embedded = associated[0]["/EF"]["/F"].get_object()
    assert json.loads(embedded.get_data()) == json.loads(credential)


def test_without_a_credential_nothing_is_associated():
    reader = PdfReader(io.BytesIO(certificate_pdf(_document(), page_size=PageSize.A4)))
    assert "/AF" not in reader.trailer["/Root"]
    assert list(reader.attachments) == []


def test_the_logo_is_printed_when_given():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (30, 58, 95)).save(buffer, format="PNG")
    from certificates.rendering import image_data_uri

    logo = image_data_uri(buffer.getvalue(), mime_type="image/png")
    pdf = certificate_pdf(_document(logo_data_uri=logo), page_size=PageSize.A4)
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert sorted(image.image.size for image in images) == sorted([_qr_modules(), (120, 40)])


def _qr_modules() -> tuple[int, int]:
    import segno

    return segno.make(_document().verify_url, error="m").symbol_size(scale=1, border=0)


def test_the_qr_code_is_one_pixel_per_module_printed_without_smoothing():
    images = (
        PdfReader(io.BytesIO(certificate_pdf(_document(), page_size=PageSize.A4))).pages[0].images
    )
    (qr,) = images
    # One pixel per module, no quiet zone in the image (the layout gives it).
    assert qr.image.size == _qr_modules()
    # Without /Interpolate true, a viewer or printer scales the modules as sharp squares.
    assert qr.indirect_reference.get_object().get("/Interpolate") in (None, False)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
@pytest.mark.parametrize("page_size", ["a4", "letter"])
def test_the_qr_code_decodes_to_the_verification_url(tmp_path, page_size):
    import zxingcpp
    from PIL import Image

    pdf_path = tmp_path / "certificate.pdf"
    pdf_path.write_bytes(certificate_pdf(_document(), page_size=page_size))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf_path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    results = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [(result.format, result.text) for result in results] == [
        (zxingcpp.BarcodeFormat.QRCode, VERIFY_URL)
    ]
