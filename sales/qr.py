"""QR codes of UPI links, for the PDFs (reportlab) and the counter screen (SVG)."""

import functools

from reportlab.graphics.barcode import qrencoder


@functools.lru_cache(maxsize=32)
def qr_runs(text: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """Return (module count, dark runs as (row, first column, length)) of a QR code (error correction M)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    runs = []
    for row, modules in enumerate(code.modules):
        start = None
        for column, dark in enumerate([*modules, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                runs.append((row, start, column - start))
                start = None
    return code.getModuleCount(), tuple(runs)


def qr_svg(text: str, *, size: int = 280, quiet_modules: int = 4) -> str:
    """Return an SVG of the QR code, `size` pixels square, with the quiet zone scanners need."""
    count, runs = qr_runs(text)
    side = count + 2 * quiet_modules
    path = "".join(f"M{column + quiet_modules},{row + quiet_modules}h{length}v1h-{length}z"
                   for row, column, length in runs)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{size}" height="{size}" '
            f'shape-rendering="crispEdges" role="img" aria-label="UPI QR code">'
            f'<rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>')
