"""Machine-readable feeds: marketplaces, open data, display points.

Each format is an output of its own (listed in :mod:`ocop_catalog.pipeline`), written
from the same published catalog the pages come from:

============================================  ==========================================
``feeds/google/<lang>.xml``                   Google Merchant Center (RSS 2.0 + ``g:``)
                                              (:mod:`.google`)
``feeds/meta/<lang>.csv``                     Meta (Facebook/Instagram) catalog CSV
                                              (:mod:`.meta`)
``feeds/catalog.json`` (+ ``.schema.json``),  the complete catalog, open data, and the
``feeds/exports/<file>``                      export profiles (marketplace bulk sheets)
                                              made from its objects (:mod:`.opendata`,
                                              :mod:`.export`)
``feeds/atom/<lang>.xml``                     Atom: new and updated products (:mod:`.atom`)
``feeds/sales-points/<point>/<lang>.json``,   JSON Feed 1.1 per sales point (+ schema) and
``kiosk/<point>/``, ``kiosk/sw.js``           full-screen kiosk pages (:mod:`.display`)
============================================  ==========================================

Shared by them, not outputs: :mod:`.data` (what every feed needs to know about a
product, worked out once per process), :mod:`.marketplace` (what Google and Meta
list), :mod:`.options` (the ``feeds:`` entry of the ``ocop`` plugin, docs/feeds.md),
:mod:`.schema` (the JSON Schemas). Writers use csv, json, a small XML writer and
feedgen, never one template rendering per product: at 10,000 products every feed
together takes a few seconds.
"""
