"""A file only its owner may read, written whole or not at all: where a secret given once
(a new API key) or a saved state holding every secret is kept. Imports nothing of the
SDK.

``PrivateFile(path)`` makes a temporary file beside ``path`` at once, mode 0600, so that
a folder that cannot be written is found before the secret exists; ``commit(text)``
moves it into place, replacing what was there, and ``discard()`` forgets it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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
        self._fd, self._temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        self._committed = False

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

    def __enter__(self) -> "PrivateFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()
