"""``ocop codeowners``: .github/CODEOWNERS from the producers' maintainers."""

from __future__ import annotations

import pytest
from ocop_catalog import cli
from ocop_catalog.codeowners import CODEOWNERS, HEADER, OwnersError, office_owners
from scratch import PRODUCER, PRODUCER_FILE

OFFICE = "@ocop-demo/ocop-office"


@pytest.fixture
def repo(scratch, monkeypatch):
    """The scratch catalog (as the current folder) with an office team, two producers
    with maintainers and one without."""
    scratch.edit("site_config.yml", "  - ocop:\n", f'  - ocop:\n      office_team: "{OFFICE}"\n')
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
/catalog/ {OFFICE}
/site_config.yml {OFFICE}
/.github/ {OFFICE}
/requirements.txt {OFFICE}

/products/hkd-khong-ai/ {OFFICE}
/products/htx-che-demo/ @che-demo {OFFICE}
/products/{PRODUCER}/ @htx-ong-demo @Nguyen-Van-An {OFFICE}
"""


def test_without_office_team_only_maintainers(repo):
    repo.edit("site_config.yml", f'      office_team: "{OFFICE}"\n', "")
    assert cli.main(["codeowners"]) == 0
    text = repo.read(CODEOWNERS)
    assert "@ocop-demo" not in text and "/catalog/" not in text.replace("# (no", "")
    assert text.splitlines()[-2:] == ["/products/htx-che-demo/ @che-demo",
                                      f"/products/{PRODUCER}/ @htx-ong-demo @Nguyen-Van-An"]


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
