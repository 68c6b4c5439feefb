"""Reading and checking input: the records a catalog repository holds.

The safe YAML reader (:mod:`.yamlsource`), the record models (:mod:`.models`) and
their text types (:mod:`.text`), photo header checks (:mod:`.photos`), the
translation of model errors into messages in Vietnamese and English
(:mod:`.modelerrors`, :mod:`.messages`, :mod:`.issues`), the cross-record checks
(:mod:`.checks`), the loader that turns a repository into a validated
:class:`~ocop_catalog.catalog.model.Catalog` (:mod:`.loader`) and the records'
JSON Schemas (:mod:`.schemas`).
"""
