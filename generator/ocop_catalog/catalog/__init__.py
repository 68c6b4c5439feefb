"""The catalog model: the validated, immutable catalog and its domain rules.

:mod:`.model` holds the catalog (records plus the indexes outputs need);
:mod:`.certificates` the OCOP certificate rules (validity, status on a day);
:mod:`.taxonomy` the criteria sets of each OCOP decision; :mod:`.links` the
permanent links and codes printed on packaging.
"""
