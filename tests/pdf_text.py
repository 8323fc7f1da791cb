"""Reading PDFs back in tests: pypdf extracts shaped Arabic as presentation forms, which NFKC
turns back into the letters that were written (shared FIELD-NOTES)."""

import io
import unicodedata

from pypdf import PdfReader

ARABIC_NAME = "فاطمة الزهراء بناني"


def pages_text(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]
