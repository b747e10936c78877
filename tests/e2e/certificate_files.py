"""Reading a downloaded certificate PDF the way a person or a phone would: its text and its QR code."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def qr_codes(data: bytes, workdir: Path) -> list[str]:
    """What the QR codes on the PDF's first page say.

    The QR code is an image placed and scaled in the page, so the page is rasterised first (poppler's
    pdftoppm, as a printer or a screen would show it), then zxing-cpp reads the image.
    """
    import zxingcpp
    from PIL import Image

    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "Reading the QR code needs poppler-utils (pdftoppm); make test installs it."
    pdf = workdir / "certificate.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "150",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(workdir / "page"),
        ],
        check=True,
        timeout=120,
    )
    return [
        result.text
        for result in zxingcpp.read_barcodes(Image.open(workdir / "page.png"))
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]
