"""The outputs: each reads the published catalog (:mod:`ocop_catalog.edition`) and
writes its own files into the site folder, never reading another output.

:mod:`.site` the catalog pages, search index and sitemap; :mod:`.feeds` one module
per feed format; :mod:`.printing` the QR codes and PDFs for print. The list of
outputs, in the order they run, is in :mod:`ocop_catalog.pipeline`.
"""
