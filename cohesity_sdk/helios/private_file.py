"""A file only its owner may read, written whole or not at all: where a secret given once
(a new API key) or a saved state holding every secret is kept. Imports nothing of the
SDK.

``PrivateFile(path)`` makes a temporary file beside ``path`` at once, mode 0600, so that
a folder that cannot be written is found before the secret exists; ``commit(text)``
moves it into place, replacing what was there, and ``discard()`` forgets it.

The temporary file's name holds the process's id (``.NAME.<pid>.<random>.tmp``): a
process killed before it committed or discarded leaves it behind, and the next
``PrivateFile`` of the same path removes it once that process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from typing import Optional

__all__ = ["PrivateFile"]


class PrivateFile:
    """A 0600 temporary file beside ``path``, moved there by ``commit``. With
    ``make_folders``, the folders it needs are made first, mode 0700."""

    def __init__(self, path: str, *, make_folders: bool = False) -> None:
        self.path = path
        folder, name = os.path.split(os.path.abspath(path))
        if make_folders:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        self._fd: Optional[int]
        self._fd, self._temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.{os.getpid()}.",
                                                     suffix=".tmp")
        self._committed = False
        sweep(folder, name)

    def commit(self, text: str) -> None:
        """Write ``text`` and put the file in place of ``path``, in one step; on a
        failure ``path`` is as it was."""
        fd = self._fd
        assert fd is not None, "committed or discarded already"
        self._fd = None
        try:
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(self._temporary, self.path)
        self._committed = True

    def discard(self) -> None:
        """Forget the temporary file, unless it was committed."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if not self._committed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._temporary)

    def __enter__(self) -> PrivateFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


#: Past this age a temporary file is left by a run that is gone, whatever its process id
#: says now (another machine's, on a shared folder; or one the system gave again).
STALE_AFTER = 24 * 3600.0


def sweep(folder: str, name: str) -> int:
    """Remove the temporary files of ``name`` in ``folder`` that processes which are gone
    left behind; how many were removed."""
    pattern = re.compile(rf"\.{re.escape(name)}\.(\d+)\.[^./]+\.tmp\Z")
    removed = 0
    try:
        entries = os.listdir(folder)
    except OSError:
        return 0
    for entry in entries:
        found = pattern.match(entry)
        if found is None:
            continue
        path = os.path.join(folder, entry)
        try:
            old = time.time() - os.lstat(path).st_mtime > STALE_AFTER
        except OSError:
            continue
        if old or not _alive(int(found.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(path)
                removed += 1
    return removed


def _alive(pid: int) -> bool:
    """Whether the process ``pid`` runs (on this machine)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - Windows: left to the age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: it runs
        return True
    return True
