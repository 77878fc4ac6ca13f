"""A file only its owner may read, written whole or not at all (new keys' secrets, the
fake's saved state)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cohesity_sdk.helios.private_file import PrivateFile


def test_it_is_written_whole_with_mode_0600_replacing_what_was_there(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("old\n")
    path.chmod(0o644)
    file = PrivateFile(str(path))
    assert path.read_text() == "old\n"  # nothing changes before the commit
    file.commit("new-secret\n")
    assert path.read_text() == "new-secret\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["secret"]  # no temporary file left


def test_a_file_discarded_leaves_nothing_behind(tmp_path: Path) -> None:
    with PrivateFile(str(tmp_path / "never")):
        assert len(os.listdir(tmp_path)) == 1  # the temporary file, made at once
    assert os.listdir(tmp_path) == []


def test_folders_are_made_when_asked_and_a_folder_that_cannot_be_written_is_found_first(
    tmp_path: Path,
) -> None:
    nested = tmp_path / "a" / "b" / "key"
    PrivateFile(str(nested), make_folders=True).commit("k\n")
    assert nested.read_text() == "k\n"
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700  # the one it is in
    with pytest.raises(FileNotFoundError):
        PrivateFile(str(tmp_path / "missing" / "key"))


def test_what_a_killed_process_left_is_removed_by_the_next_file_of_that_path(
    tmp_path: Path,
) -> None:
    path = tmp_path / "secret"
    # A process makes its temporary file, then is killed before it commits or discards.
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import os, signal, sys
        from cohesity_sdk.helios.private_file import PrivateFile
        PrivateFile({str(path)!r})
        print("made", flush=True)
        sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "made\n"
    [left] = os.listdir(tmp_path)
    assert left.startswith(f".secret.{child.pid}.") and left.endswith(".tmp")
    # While it runs, its file is its own: another process's PrivateFile keeps it.
    with PrivateFile(str(path)):
        assert left in os.listdir(tmp_path)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert child.stdin is not None
    child.stdin.close()
    assert os.listdir(tmp_path) == [left]
    PrivateFile(str(path)).commit("next\n")
    assert os.listdir(tmp_path) == ["secret"]  # the dead process's file is gone
    # A file of another name is not ours to remove.
    (tmp_path / ".other.1.abc.tmp").write_text("")
    PrivateFile(str(path)).commit("again\n")
    assert sorted(os.listdir(tmp_path)) == [".other.1.abc.tmp", "secret"]
