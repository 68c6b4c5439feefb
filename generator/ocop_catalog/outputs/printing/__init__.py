"""Print assets: QR PNGs, product labels, shelf-label sheets and posters (PDF)."""
