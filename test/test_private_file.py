"""A file only its owner may read, written whole or not at all (new keys' secrets, the
fake's saved state)."""

from __future__ import annotations

import os
import stat
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
