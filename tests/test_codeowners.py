"""``ocop codeowners``: .github/CODEOWNERS from the producers' maintainers."""

from __future__ import annotations

import json
import shutil

import pytest
from ocop_catalog import cli
from ocop_catalog.codeowners import CODEOWNERS, HEADER, OwnersError, office_owners
from scratch import PRODUCER, PRODUCER_FILE

OFFICE = "@ocop-demo/ocop-office"


@pytest.fixture
def repo(scratch, monkeypatch):
    """The scratch catalog (as the current folder) with an office team, two producers
    with maintainers and one without."""
    scratch.edit("site_config.yml", 'office_team: "@ocop-test/ocop-office"',
                 f'office_team: "{OFFICE}"')
    scratch.edit(PRODUCER_FILE, "description:\n",
                 "maintainers: [htx-ong-demo, Nguyen-Van-An]\ndescription:\n")
    scratch.add_producer("htx-che-demo")
    scratch.edit("products/htx-che-demo/producer.yml", "description:\n",
                 "maintainers:\n  - che-demo\n  - not a login\n  - che-demo\ndescription:\n")
    scratch.add_producer("hkd-khong-ai")
    monkeypatch.chdir(scratch.root)
    return scratch


def test_writes_the_owners(repo, capsys):
    assert cli.main(["codeowners"]) == 0
    assert "Wrote" in capsys.readouterr().out
    assert repo.read(CODEOWNERS) == HEADER + "\n" + f"""\
* {OFFICE}
/catalog/ {OFFICE}
/site_config.yml {OFFICE}
/.github/ {OFFICE}
/requirements.txt {OFFICE}
/overrides/ {OFFICE}

/products/hkd-khong-ai/ {OFFICE}
/products/htx-che-demo/ @che-demo {OFFICE}
/products/{PRODUCER}/ @htx-ong-demo @Nguyen-Van-An {OFFICE}
"""


def owners_of(text: str, path: str) -> list[str]:
    """Who GitHub asks to review ``path``: the owners on the last line whose pattern
    matches it (GitHub's rule), for the patterns this file uses."""
    found: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        if pattern == "*" or ("/" + path).startswith(pattern):
            found = owners
    return found


@pytest.mark.parametrize("path, owners", [
    ("catalog/decisions/2026-01-01-5-sao.yml", [OFFICE]),
    ("site_config.yml", [OFFICE]),
    (".github/workflows/pull-request.yml", [OFFICE]),
    ("overrides/ocop/i18n/vi.yml", [OFFICE]),
    ("requirements.txt", [OFFICE]),
    ("README.md", [OFFICE]),                                  # by the catch-all
    ("tools/anything.py", [OFFICE]),                          # by the catch-all
    ("products/htx-moi/producer.yml", [OFFICE]),              # a producer not listed yet
    ("products/htx-che-demo/che/product.yml", ["@che-demo", OFFICE]),
])
def test_every_path_has_the_office_among_its_owners(repo, path, owners):
    assert cli.main(["codeowners"]) == 0
    assert owners_of(repo.read(CODEOWNERS), path) == owners


def test_without_office_team_a_catalog_with_a_register_is_refused(repo, capsys):
    repo.edit("site_config.yml", f'      office_team: "{OFFICE}"\n', "")
    capsys.readouterr()
    for argv in (["codeowners"], ["codeowners", "--check"]):
        assert cli.main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith("ocop codeowners: chưa khai báo office_team"), err
        assert "no office_team (the OCOP office's GitHub team) in site_config.yml" in err
        assert "catalog/decisions/" in err
    assert not repo.path(CODEOWNERS).exists()
    # ocop validate says the same, at the plugin's line of site_config.yml
    assert cli.main(["validate", "--today", "2026-03-01", "--format", "json"]) == 1
    (found,) = [i for i in json.loads(capsys.readouterr().out) if i["file"] == "site_config.yml"]
    assert (found["code"], found["severity"], found["file"], found["line"]) == (
        "office_team_missing", "error", "site_config.yml",
        repo.read("site_config.yml").splitlines().index("  - ocop:") + 1)
    assert found["message"]["vi"].startswith("chưa khai báo office_team")


def test_without_office_team_or_register_only_maintainers(repo, capsys):
    repo.edit("site_config.yml", f'      office_team: "{OFFICE}"\n', "")
    shutil.rmtree(repo.path("catalog/decisions"))
    assert cli.main(["codeowners"]) == 0
    text = repo.read(CODEOWNERS)
    assert "@ocop-demo" not in text and "/catalog/" not in text.replace("# (no", "")
    assert text.splitlines()[-2:] == ["/products/htx-che-demo/ @che-demo",
                                      f"/products/{PRODUCER}/ @htx-ong-demo @Nguyen-Van-An"]
    capsys.readouterr()
    cli.main(["validate", "--today", "2026-03-01", "--format", "json"])
    assert "office_team_missing" not in capsys.readouterr().out


def test_check_reports_a_stale_file_and_writes_nothing(repo, capsys):
    assert cli.main(["codeowners", "--check"]) == 1  # missing
    assert not repo.path(CODEOWNERS).exists()
    assert cli.main(["codeowners"]) == 0
    assert cli.main(["codeowners", "--check"]) == 0  # current
    repo.edit(PRODUCER_FILE, "[htx-ong-demo, Nguyen-Van-An]", "[htx-ong-demo]")
    before = repo.read(CODEOWNERS)
    assert cli.main(["codeowners", "--check"]) == 1  # stale
    assert repo.read(CODEOWNERS) == before
    assert "stale" in capsys.readouterr().err
    assert cli.main(["codeowners"]) == 0
    assert cli.main(["codeowners", "--check"]) == 0


def test_a_wrong_office_team_is_refused(repo, capsys):
    repo.edit("site_config.yml", f'"{OFFICE}"', '"ocop office"')
    assert cli.main(["codeowners"]) == 1
    assert "office_team" in capsys.readouterr().err
    assert not repo.path(CODEOWNERS).exists()


def test_office_owners():
    assert office_owners(None) == []
    assert office_owners("@org/team @lead") == ["@org/team", "@lead"]
    for wrong in ("org/team", "@", "@a/b c", 3):
        with pytest.raises(OwnersError):
            office_owners(wrong)
