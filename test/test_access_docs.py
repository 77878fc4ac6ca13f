"""docs/AccessAsCode.md and the README's section work as written: their access files plan
and apply against a FakeHelios, the command lines parse, the output shown is what the
commands print, the Python blocks run, and every key of the file is documented."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Type

import pytest
from pydantic import BaseModel
from test_examples import subprocess_env

from cohesity_sdk.helios import ApiClient, CreateUserParameters, LocalUserParams, UserApi
from cohesity_sdk.helios.access import (
    AccessFile,
    ApiKeySpec,
    GroupSpec,
    PruneScope,
    PruneSpec,
    UserSpec,
    load,
    plan,
)
from cohesity_sdk.helios.cli.access import EXIT_DONE, EXIT_IN_SYNC, EXIT_PENDING
from cohesity_sdk.helios.testing import FakeHelios

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "AccessAsCode.md"
TEXT = PAGE.read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Access as code\n", 1)[1].split("\n## ", 1)[0]
PASSWORD = "Docs-svc-Passw0rd"
#: The home folder the page's output shows.
SHOWN_HOME = "/home/me"
A, B = 4213516873913468, 5523896512376540


def blocks(text: str, kind: str) -> List[str]:
    return re.findall(rf"```{kind}\n(.*?)```", text, re.S)


def shown_after(marker: str) -> str:
    """The ```text block that comes next after ``marker`` in the page."""
    rest = TEXT.split(marker, 1)[1]
    return rest.split("```text\n", 1)[1].split("```", 1)[0]


COMPLETE = blocks(TEXT, "yaml")[0]


class Run(NamedTuple):
    status: int
    stdout: str
    stderr: str


class Shell:
    """The page's commands run by the user in a folder with the complete example, as
    ``cohesity-helios`` names itself, against one FakeHelios."""

    def __init__(self, fake: FakeHelios, folder: Path) -> None:
        self.fake = fake
        self.folder = folder
        (folder / "access.yaml").write_text(COMPLETE, encoding="utf-8")
        self.env = subprocess_env()
        self.env.update(HELIOS_HOST=fake.url, HELIOS_API_KEY=fake.api_key, HOME=str(folder),
                        SVC_BACKUP_PASSWORD=PASSWORD, PYTHONUNBUFFERED="1")

    def __call__(self, *args: str, home: Optional[str] = None) -> Run:
        code = ("import sys\nfrom cohesity_sdk.helios.cli import main\n"
                "sys.exit(main(sys.argv[1:], prog='cohesity-helios'))")
        env = dict(self.env, HOME=home or self.env["HOME"])
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=self.folder, env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert PASSWORD not in done.stdout + done.stderr
        assert self.fake.api_key not in done.stdout + done.stderr
        return Run(done.returncode, done.stdout, done.stderr)

    def api(self) -> UserApi:
        return UserApi(ApiClient(self.fake.configuration()))


@pytest.fixture
def shell(fake: FakeHelios, tmp_path: Path) -> Iterator[Shell]:
    yield Shell(fake, tmp_path)


# -- the complete example, as the page tells it ------------------------------------------------


def test_the_complete_example_prints_what_the_page_shows(shell: Shell) -> None:
    first = shell("plan", "access.yaml", "-o", "table", home=SHOWN_HOME)  # plans write nothing
    assert first.status == EXIT_PENDING, first.stderr
    assert first.stdout == shown_after("`cohesity-helios plan access.yaml -o table`")

    applied = shell("apply", "access.yaml", "--yes", "-o", "table")
    assert applied.status == EXIT_DONE, applied.stderr
    results = shown_after("`cohesity-helios apply access.yaml --yes -o table`")
    assert results.startswith("...\n")  # the plan, as above
    assert applied.stdout.endswith(results[len("...\n"):])
    for cluster in (A, B):
        secret_file = shell.folder / ".config" / "helios" / f"svc-backup-nightly-{cluster}"
        assert (secret_file.stat().st_mode & 0o777) == 0o600

    again = shell("plan", "access.yaml", "-o", "table")
    assert again.status == EXIT_IN_SYNC
    assert again.stdout == shown_after("Planning again:")

    # "Later, someone adds old-contractor and svc-old by hand on the first cluster, and
    # the file gives svc-backup the viewer role too."
    api = shell.api()
    api.create_users([CreateUserParameters(username=name, domain="LOCAL",
                                           local_user_params=LocalUserParams(password="x-Pw-9"))
                      for name in ("old-contractor", "svc-old")], access_cluster_id=A)
    changed = COMPLETE.replace("roles: [COHESITY_OPERATOR]",
                               "roles: [COHESITY_OPERATOR, COHESITY_VIEWER]")
    assert "roles: [COHESITY_OPERATOR, COHESITY_VIEWER]" in " ".join(TEXT.split())
    (shell.folder / "access.yaml").write_text(changed, encoding="utf-8")
    later = shell("plan", "access.yaml", "-o", "table")
    assert later.status == EXIT_PENDING
    assert later.stdout == shown_after("The plan is then:")


def test_the_export_shown_is_what_export_writes(shell: Shell) -> None:
    assert shell("apply", "access.yaml", "--yes").status == EXIT_DONE
    exported = shell("export", "--access-cluster-id", str(A))
    assert exported.status == EXIT_IN_SYNC
    assert exported.stdout == blocks(TEXT.split("## Export", 1)[1], "yaml")[0]
    (shell.folder / "exported.yaml").write_text(exported.stdout, encoding="utf-8")
    assert shell("plan", "exported.yaml").status == EXIT_IN_SYNC


def test_the_bad_file_shown_gets_the_errors_shown(shell: Shell) -> None:
    section = TEXT.split("### A bad file", 1)[1]
    (shell.folder / "bad.yaml").write_text(blocks(section, "yaml")[0], encoding="utf-8")
    done = shell("plan", "bad.yaml")
    assert done.status == 3
    assert done.stderr == blocks(section, "text")[0]


def test_the_stale_plan_shown(shell: Shell) -> None:
    assert shell("plan", "access.yaml", "--out", "plan.json").status == EXIT_PENDING
    shell.api().create_users([CreateUserParameters(username="jdoe", domain="corp.example.com")],
                             access_cluster_id=B)
    done = shell("apply", "plan.json", "--yes")
    assert done.status == 1
    assert done.stderr == shown_after("with\nexit status 1:")


def test_the_roles_and_clusters_examples_apply_and_then_are_in_sync(shell: Shell) -> None:
    roles = blocks(TEXT.split("### Roles", 1)[1], "yaml")[0]
    several = blocks(TEXT.split("## Several clusters", 1)[1], "yaml")[0]
    shell.fake.add_role("BACKUP_AUDITOR", ["PRINCIPAL_VIEW"])  # the cluster's own role
    shell.env.update(SVC_AUDIT_PASSWORD=PASSWORD, SVC_REPORT_PASSWORD=PASSWORD)
    (shell.folder / "roles.yaml").write_text(f"clusters: [{A}]\n{roles}", encoding="utf-8")
    (shell.folder / "several.yaml").write_text(several, encoding="utf-8")
    for name in ("roles.yaml", "several.yaml"):
        assert shell("plan", name).status == EXIT_PENDING
        applied = shell("apply", name, "--yes")
        assert applied.status == EXIT_DONE, applied.stderr
        assert shell("plan", name).status == EXIT_IN_SYNC
    api = shell.api()
    [audit] = api.get_users(usernames=["svc-audit"], access_cluster_id=A).users
    assert audit.roles == ["BACKUP_AUDITOR"]
    roles_on = {cluster: api.get_users(usernames=["svc-report"],
                                       access_cluster_id=cluster).users[0].roles
                for cluster in (A, B)}
    assert roles_on == {A: ["COHESITY_VIEWER"], B: ["COHESITY_OPERATOR"]}
    assert (shell.folder / "keys" / f"report-{B}").is_file()
    assert not (shell.folder / "keys" / f"report-{A}").exists()


def test_the_readme_example_applies_and_then_is_in_sync(fake: FakeHelios, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SVC_BACKUP_PASSWORD", PASSWORD)
    [example] = blocks(SECTION, "yaml")
    path = tmp_path / "access.yaml"
    path.write_text(example, encoding="utf-8")
    from cohesity_sdk.helios import access

    with ApiClient(fake.configuration()) as client:
        api = UserApi(client)
        planned = plan(api, load(path))
        assert planned.counts() == {"create": 8, "update": 2, "delete": 0, "in_sync": 0}
        assert access.apply(api, planned).ok
        assert plan(api, path).in_sync
    assert SECTION.rstrip().splitlines()[-1] == \
        "More in [docs/AccessAsCode.md](docs/AccessAsCode.md)."


def command_lines() -> List[str]:
    lines = []
    for text in (TEXT, SECTION):
        for block in blocks(text, "sh"):
            lines += [line for line in block.splitlines() if line.startswith("cohesity-helios ")]
    return lines


@pytest.mark.parametrize("line", command_lines())
def test_the_command_lines_parse(line: str) -> None:
    import shlex

    from cohesity_sdk.helios.cli import build_parser
    from cohesity_sdk.helios.cli.access import NAMES

    words = shlex.split(line, comments=True)[1:]
    words = words[:words.index(">")] if ">" in words else words
    args = build_parser("cohesity-helios").parse_args(words)
    assert args.command in NAMES


# -- the Python blocks ---------------------------------------------------------------------


PYTHON = blocks(TEXT, "python")


def printed_as_shown(shown: str, printed: str) -> bool:
    pattern = "\n".join(".*".join(re.escape(part) for part in line.split("..."))
                        for line in shown.rstrip("\n").splitlines())
    return re.fullmatch(pattern, printed.rstrip("\n")) is not None


@pytest.mark.parametrize("number", range(len(PYTHON)), ids=[f"python-{n + 1}"
                                                            for n in range(len(PYTHON))])
def test_the_python_blocks_run_and_print_what_is_shown(shell: Shell, number: int) -> None:
    code = PYTHON[number]
    shown = TEXT.split(code, 1)[1].split("```", 1)[1]
    (shell.folder / "example.py").write_text(code, encoding="utf-8")
    env = dict(shell.env, SVC_REPORT_PASSWORD=PASSWORD)
    done = subprocess.run([sys.executable, "example.py"], cwd=shell.folder, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout
    assert PASSWORD not in done.stdout and shell.fake.api_key not in done.stdout
    assert shown.startswith("\n```text\n"), "each block is followed by what it prints"
    assert printed_as_shown(shown[len("\n```text\n"):].split("```", 1)[0], done.stdout), \
        done.stdout


def test_the_python_blocks_are_the_ones_type_checked() -> None:
    # test_typing runs mypy --strict and pyright over test/typing/pass/.
    typed = sorted((ROOT / "test" / "typing" / "pass").glob("access_as_code_*.py"))
    assert [path.read_text(encoding="utf-8") for path in typed] == PYTHON
    assert len(PYTHON) == 2


# -- every key, every JSON field, every exit status --------------------------------------------


TABLES: Dict[Type[BaseModel], str] = {
    AccessFile: "### Top level", UserSpec: "### Users", ApiKeySpec: "### API keys",
    GroupSpec: "### Groups",
}


@pytest.mark.parametrize("model", list(TABLES), ids=lambda m: m.__name__)
def test_every_key_of_the_file_is_in_its_table(model: Type[BaseModel]) -> None:
    section = TEXT.split(TABLES[model] + "\n", 1)[1].split("\n### ", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert documented == list(model.model_fields)


def test_every_key_of_prune_is_in_its_table() -> None:
    section = TEXT.split("### Prune\n", 1)[1].split("\n### ", 1)[0]
    assert [f"prune.{k}" for k in PruneSpec.model_fields] + [
        f"scope {k}" for k in PruneScope.model_fields] == [
        re.sub(r"`", "", m) for m in re.findall(r"^\| ([^|]+?) \|", section, re.M)
        if m not in ("key", "---")]


def test_every_json_field_is_documented(fake: FakeHelios, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SVC_BACKUP_PASSWORD", "Complete-Passw0rd")
    path = tmp_path / "access.yaml"
    path.write_text(COMPLETE, encoding="utf-8")
    with ApiClient(fake.configuration()) as client:
        document = json.loads(plan(UserApi(client), path).to_json())
    section = TEXT.split("### The JSON", 1)[1].split("\n## ", 1)[0]
    for key in document:
        assert f"`{key}`" in section, key
    for key in document["clusters"][0]:
        assert f"`{key}`" in section, key
    for key in document["clusters"][0]["changes"][0]:
        assert f"`{key}`" in section, key


def test_the_page_is_linked_from_the_index_and_the_command_line_page() -> None:
    assert "(AccessAsCode.md)" in (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    assert "(AccessAsCode.md)" in (ROOT / "docs" / "CommandLine.md").read_text(encoding="utf-8")
    assert "Generated by tools/generate.py" not in TEXT.splitlines()[0]
