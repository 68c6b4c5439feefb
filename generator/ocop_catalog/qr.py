"""QR codes for products: the symbol itself, as SVG.

Error correction M (15 % of the symbol may be damaged or dirty, as printed
labels get) and a quiet zone of four modules, as ISO/IEC 18004 asks for.
"""

from __future__ import annotations

import io

import segno

ERROR_CORRECTION = "m"
QUIET_ZONE = 4


def qr_svg(url: str, *, title: str | None = None) -> bytes:
    """An SVG QR code for ``url`` that scales to any size (viewBox, no fixed size)."""
    code = segno.make_qr(url, error=ERROR_CORRECTION, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", border=QUIET_ZONE, scale=1, omitsize=True, xmldecl=False,
              svgns=True, title=title, dark="#000", light="#fff")
    return out.getvalue()
