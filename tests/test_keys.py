"""A key is the SHA-256 of its values' JSON, whichever way digest() writes it."""

from __future__ import annotations

import hashlib
import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ocop_catalog.edition.keys import digest


def _json_key(values: list) -> str:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(), max_size=6))
@example(["a" * 64, "2026-12-01", "vi", "products/cha-ca/"])  # a page's key: the quick way
@example(['say "hi"'])
@example(["back\\slash"])
@example(["line\nbreak", "tab\t", "\x7f", "\u2028", "Sữa tươi"])
@example(["", ""])
@example([])
def test_a_key_of_texts_is_the_hash_of_their_json(texts):
    assert digest(*texts) == _json_key(texts)


def test_a_key_of_other_values_is_the_hash_of_their_plain_json():
    assert digest("a", 1, None, ["b", 2.5]) == _json_key(["a", 1, None, ["b", 2.5]])
