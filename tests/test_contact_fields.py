"""A producer's Zalo and Facebook contacts, and the address of the product pages'
"report wrong information" link: what is accepted, what is refused and with which
message, and how the links are written."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from ocop_catalog.errors import OptionError
from ocop_catalog.outputs.site.report import parse_report_url, report_link
from ocop_catalog.records.models import Contact
from scratch import PRODUCER_FILE, SALES_POINTS_FILE

EMAIL_LINE = "  email: htx-ong@example.com\n"


def _with_contact(scratch, key: str, value: str) -> None:
    scratch.edit(PRODUCER_FILE, EMAIL_LINE, f'{EMAIL_LINE}  {key}: "{value}"\n')


@pytest.mark.parametrize("value, link", [
    ("0912 345 678", "https://zalo.me/0912345678"),
    ("+84 912 345 678", "https://zalo.me/0912345678"),
    ("84-912-345-678", "https://zalo.me/0912345678"),
    ("0912.345.678", "https://zalo.me/0912345678"),
    ("https://zalo.me/0912345678", "https://zalo.me/0912345678"),
    ("https://zalo.me/4318836393476040013/", "https://zalo.me/4318836393476040013"),
])
def test_a_zalo_number_or_link_is_accepted_and_linked(scratch, value, link):
    _with_contact(scratch, "zalo", value)
    result = scratch.validate()
    assert result.issues == ()
    contact = result.catalog.producers["htx-ong-tam-dao"].record.contact
    assert (contact.zalo, contact.zalo_url) == (value, link)


@pytest.mark.parametrize("value", [
    "12345", "0912 345 67", "0912 345 6789", "+1 555 123 4567", "zalo.me/0912345678",
    "https://zalo.me/abc", "https://chat.zalo.me/0912345678", "https://zalo.me.example/0912345678",
    "javascript:alert(1)",
])
def test_anything_else_is_refused_as_zalo_with_the_fix(scratch, value):
    _with_contact(scratch, "zalo", value)
    at = scratch.position(PRODUCER_FILE, f'"{value}"')
    found = [i for i in scratch.validate().issues if i.file == PRODUCER_FILE]
    assert [(i.code, i.field, i.line, i.column) for i in found] == [
        ("zalo", "contact.zalo", *at)]
    assert found[0].message_en == (
        f"'{value}' is not a Zalo contact: write the Vietnamese phone number registered on "
        "Zalo (\"0912 345 678\" or \"+84 912 345 678\") or its link https://zalo.me/0912345678")
    assert found[0].message_vi.startswith(f"'{value}' không phải là liên hệ Zalo")


@pytest.mark.parametrize("value", [
    "https://www.facebook.com/htx.ong.tam.dao", "https://facebook.com/profile.php?id=100",
    "https://m.facebook.com/htx", "https://fb.com/htx", "https://WWW.Facebook.com/htx",
])
def test_a_facebook_page_is_accepted(scratch, value):
    _with_contact(scratch, "facebook", value)
    result = scratch.validate()
    assert result.issues == ()
    assert result.catalog.producers["htx-ong-tam-dao"].record.contact.facebook == value


@pytest.mark.parametrize("value", [
    "https://facebook.example.com/htx",          # another host
    "https://facebook.com.example.net/htx",      # a look-alike: facebook.com is a subdomain
    "https://myfacebook.com/htx",
    "https://facebook.com@example.net/htx",      # the host is example.net
    "https://facebook.com:8443/htx",
    "http://www.facebook.com/htx",               # not https
    "https://fb.me/htx",
    "www.facebook.com/htx",
    "javascript:alert(1)",
])
def test_a_facebook_link_on_another_host_is_refused(scratch, value):
    _with_contact(scratch, "facebook", value)
    at = scratch.position(PRODUCER_FILE, f'"{value}"')
    found = [i for i in scratch.validate().issues if i.file == PRODUCER_FILE]
    assert [(i.code, i.field, i.line, i.column) for i in found] == [
        ("facebook_link", "contact.facebook", *at)]
    assert found[0].message_en == (
        f"'{value}' is not a Facebook page: write its full https:// address on facebook.com "
        "or fb.com, e.g. https://www.facebook.com/ten-trang")
    assert "không phải là trang Facebook" in found[0].message_vi


def test_sales_points_take_the_same_contact_fields(scratch):
    scratch.edit(SALES_POINTS_FILE, "      website: https://ocop-hop-thinh.example.com\n",
                 "      website: https://ocop-hop-thinh.example.com\n"
                 "      facebook: https://evil.example/ocop\n")
    assert [(i.code, i.field) for i in scratch.validate().issues
            if i.file == SALES_POINTS_FILE] == [
        ("facebook_link", "sales_points[1].contact.facebook")]


def test_the_contact_model_links_a_number_in_its_national_form():
    assert Contact(zalo="+84 000 000 021").zalo_url == "https://zalo.me/0000000021"
    assert Contact().zalo_url is None


# --------------------------------------------------------------------------
# report_url
# --------------------------------------------------------------------------


def test_report_url_placeholders_are_percent_encoded():
    template = parse_report_url("https://forms.example.org/r?p={product}&i={id}&u={url}")
    href = report_link(template, "ocop@example.vn", product="Mật ong & sáp #1 / 50% ?",
                       product_id="mat-ong", page_url="https://x.vn/products/mat-ong/?a=1&b=2",
                       subject="s", body="b")
    assert " " not in href and "#" not in href
    assert {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()} == {
        "p": "Mật ong & sáp #1 / 50% ?", "i": "mat-ong",
        "u": "https://x.vn/products/mat-ong/?a=1&b=2"}


def test_without_report_url_the_link_mails_the_office_and_without_email_there_is_none():
    href = report_link(None, "ocop@example.vn", product="Trà", product_id="tra",
                       page_url="https://x.vn/", subject="Báo sai: Trà & bánh",
                       body="Sản phẩm: Trà\nTrang: https://x.vn/\n")
    assert href == ("mailto:ocop@example.vn?subject=B%C3%A1o%20sai%3A%20Tr%C3%A0%20%26%20b%C3%A1nh"
                    "&body=S%E1%BA%A3n%20ph%E1%BA%A9m%3A%20Tr%C3%A0%0D%0ATrang%3A%20https%3A%2F%2F"
                    "x.vn%2F%0D%0A")
    assert report_link(None, "", product="Trà", product_id="tra", page_url="https://x.vn/",
                       subject="s", body="b") is None


@pytest.mark.parametrize("value, named", [
    ("mailto:ocop@example.vn", "full http:// or https:// address"),
    ("javascript:alert(1)", "full http:// or https:// address"),
    ("https://forms.example.org/r?p={name}", "unknown placeholder {name}"),
    ("https://forms.example.org/r?p={product", "a brace that opens no placeholder"),
    ("https://forms.example.org/r?p={product} x", "no spaces"),
    ('https://forms.example.org/r?p="{product}"', "no spaces, quotes"),
    (42, "must be an address"),
])
def test_a_wrong_report_url_stops_the_build_naming_it(value, named):
    with pytest.raises(OptionError, match="report_url") as error:
        parse_report_url(value)
    assert named in str(error.value)
