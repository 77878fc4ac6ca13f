"""The hand-written reference pages in docs/ work as written.

Each ```python block runs in a process of its own, as a reader would run it: with
HELIOS_HOST, HELIOS_API_KEY and HELIOS_PASSWORD naming a FakeHelios, and
NEW_USER_PASSWORD for the LOCAL users the examples create, as the pages say.
A block that defines pytest tests runs under pytest, beside the conftest.py the
FakeHelios page shows. A ```text block right after a block is what the block prints,
stdout and stderr together, where "..." stands for any text on its line. A block whose
first line is "# needs a real Helios" is only compiled.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional

import pytest
from conftest import RecordingServer
from test_docs import python_blocks
from test_examples import subprocess_env

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.testing import FakeHelios

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: The pages, and the README section whose last line links to each.
REFERENCE_PAGES = {
    "Authentication.md": "## Authentication",
    "Errors.md": "## Errors and retries",
    "FakeHelios.md": "## Testing your code with FakeHelios",
}
NEEDS_REAL_HELIOS = "# needs a real Helios"
#: The password of FakeHelios's seeded user ``admin``, which the pages tell readers to export.
ADMIN_PASSWORD = "admin"
#: The password the examples give the LOCAL users they create (a new one needs one).
NEW_USER_PASSWORD = "new-user-Passw0rd"
CONFTEST = 'pytest_plugins = ["cohesity_sdk.helios.testing.pytest_plugin"]\n'

_BLOCK = re.compile(r"```python\n(.*?)```(?:\s*```text\n(.*?)```)?", re.S)


class Block(NamedTuple):
    page: str
    number: int  # from 1, in the page's order
    code: str
    prints: Optional[str]  # the ```text block that follows it, if any

    @property
    def id(self) -> str:
        return f"{Path(self.page).stem}-{self.number}"

    @property
    def is_pytest_file(self) -> bool:
        return re.search(r"^def test_", self.code, re.M) is not None


def page_blocks(page: str) -> List[Block]:
    text = (DOCS / page).read_text(encoding="utf-8")
    found = [Block(page, n, m.group(1), m.group(2))
             for n, m in enumerate(_BLOCK.finditer(text), start=1)]
    assert [b.code for b in found] == python_blocks(DOCS / page)  # read as test_docs reads them
    return found


BLOCKS = [block for page in REFERENCE_PAGES for block in page_blocks(page)]
RUNNABLE = [b for b in BLOCKS if not b.code.startswith(NEEDS_REAL_HELIOS)]


def printed_as_shown(shown: str, printed: str) -> bool:
    pattern = "\n".join(".*".join(re.escape(part) for part in line.split("..."))
                        for line in shown.rstrip("\n").splitlines())
    return re.fullmatch(pattern, printed.rstrip("\n")) is not None


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.id for b in RUNNABLE])
def test_block_runs_as_written(block: Block, tmp_path: Path) -> None:
    script = tmp_path / ("test_example.py" if block.is_pytest_file else "example.py")
    script.write_text(block.code, encoding="utf-8")
    if block.is_pytest_file:
        (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", script.name]
    else:
        command = [sys.executable, script.name]
    with FakeHelios() as fake:
        env = subprocess_env()
        env.update(HELIOS_HOST=fake.url, HELIOS_API_KEY=fake.api_key,
                   HELIOS_PASSWORD=ADMIN_PASSWORD, NEW_USER_PASSWORD=NEW_USER_PASSWORD,
                   PYTHONUNBUFFERED="1")
        done = subprocess.run(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout
    assert "Traceback" not in done.stdout, done.stdout
    assert fake.api_key not in done.stdout  # no example shows a key
    assert NEW_USER_PASSWORD not in done.stdout  # nor a password
    if block.is_pytest_file:
        assert re.search(r"\b\d+ passed\b", done.stdout), done.stdout
    if block.prints is not None:
        assert printed_as_shown(block.prints, done.stdout), done.stdout


def test_blocks_that_need_a_real_helios_compile() -> None:
    marked = [b for b in BLOCKS if b.code.startswith(NEEDS_REAL_HELIOS)]
    assert len(marked) == 1 and "class BearerToken" in marked[0].code
    for block in marked:
        compile(block.code, block.id, "exec")
    for block in BLOCKS:  # the mark counts only as the first line
        assert NEEDS_REAL_HELIOS not in block.code[1:], block.id


def test_the_bearer_token_example_fetches_once_and_again_when_refused(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    [block] = [b for b in BLOCKS if "class BearerToken" in b.code]
    monkeypatch.setenv("HELIOS_HOST", server.url)
    monkeypatch.setenv("HELIOS_TOKEN", "t-1")
    server.reply(200, {"users": [{"username": "admin"}]})
    namespace: Dict[str, Any] = {}
    exec(compile(block.code, block.id, "exec"), namespace)  # makes one call
    server.reply(401, {"errorCode": "KUnauthorized", "message": "token expired"})
    server.reply(200, {"users": []})
    monkeypatch.setenv("HELIOS_TOKEN", "t-2")  # issued meanwhile: fetched once refused
    with helios.ApiClient(namespace["configuration"]) as client:
        assert helios.UserApi(client).get_users().users == []
    assert [r.headers["Authorization"] for r in server.requests] == [
        "Bearer t-1", "Bearer t-1", "Bearer t-2"]


def test_the_pytest_example_uses_the_conftest_the_page_shows() -> None:
    assert [b for b in BLOCKS if b.is_pytest_file]
    assert any(b.code == CONFTEST for b in BLOCKS if b.page == "FakeHelios.md")


def test_the_cli_prints_what_the_page_shows() -> None:
    text = (DOCS / "FakeHelios.md").read_text(encoding="utf-8")
    shown = re.search(r"```sh\n\$ ((?:\w+=\S+ )*)(python -m cohesity_sdk\.helios\.testing .*?)"
                      r"\n(.*?)```", text, re.S)
    assert shown is not None
    variables = dict(word.split("=", 1) for word in shown.group(1).split())
    command, output = shown.group(2).split(), shown.group(3)
    port = command[command.index("--port") + 1]
    command[command.index(port)] = "0"  # any free port, which "..." stands for below
    process = subprocess.Popen([sys.executable, *command[1:]], cwd=ROOT,
                               env={**subprocess_env(), **variables},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        printed = "".join(process.stdout.readline() for _ in output.splitlines())
    finally:
        process.terminate()
        _, warnings = process.communicate(timeout=30)
    assert process.returncode == 0
    assert warnings == ""  # the way the page shows raises no warning
    assert printed_as_shown(output.replace(f":{port}/", ":.../"), printed), printed


@pytest.mark.parametrize("page", sorted(REFERENCE_PAGES))
def test_page_is_hand_written_and_linked_from_its_readme_section(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    assert "Generated by tools/generate.py" not in text.splitlines()[0]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(REFERENCE_PAGES[page] + "\n", 1)[1].split("\n## ", 1)[0]
    assert section.rstrip().splitlines()[-1] == f"More in [docs/{page}](docs/{page})."


def test_every_block_of_the_pages_is_checked() -> None:
    for page in REFERENCE_PAGES:
        text = (DOCS / page).read_text(encoding="utf-8")
        assert len(page_blocks(page)) == text.count("```python") > 0
