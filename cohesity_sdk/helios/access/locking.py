"""Two applies on one machine take turns: a lock per cluster, which a crash releases.

``ClusterLocks(host, clusters)`` holds, for each cluster (``None``: the configured
target), an advisory lock on a file of its own (``flock`` on POSIX, ``msvcrt.locking``
on Windows), so the operating system frees it when the process ends, however it ends.
The files live in ``$XDG_RUNTIME_DIR/cohesity-helios/locks`` (else
``~/.cache/cohesity-helios/locks``), mode 0700, named by a digest of the host and the
cluster; each holds the process that holds it, for the message of one that waits.

Locks are taken in one order (sorted), so that two runs over overlapping clusters never
wait for each other both. In one process, a lock already held by the same thread is
taken again at no cost (the command line takes it before planning, ``apply`` again).
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from typing import IO, Any, Callable, Dict, List, Optional, Sequence

from cohesity_sdk.helios.access.cluster_state import cluster_label
from cohesity_sdk.helios.exceptions import OpenApiException

#: How long an apply waits for another one, in seconds, unless told otherwise.
DEFAULT_LOCK_TIMEOUT = 600.0
_POLL = 0.1


class ClusterLockedError(OpenApiException):
    """Another apply of the same cluster, on this machine, did not finish in time:
    nothing was changed. ``cluster_id`` is the cluster; ``holder`` what the lock says of
    the process that holds it."""

    def __init__(self, cluster_id: Optional[int], holder: str, waited: float) -> None:
        self.cluster_id = cluster_id
        self.holder = holder
        super().__init__(
            f"{cluster_label(cluster_id)} is being changed by another apply ({holder}); "
            f"waited {waited:g} s, so nothing was changed: try again once it is done, or "
            f"wait longer (--lock-timeout)")


def lock_folder() -> str:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return os.path.join(runtime, "cohesity-helios", "locks")
    return os.path.join(os.path.expanduser("~"), ".cache", "cohesity-helios", "locks")


def lock_path(host: str, cluster_id: Optional[int]) -> str:
    name = hashlib.sha256(f"{host.rstrip('/')}\n{cluster_id}".encode()).hexdigest()[:24]
    return os.path.join(lock_folder(), f"{name}.lock")


class _Held:
    """A lock file this process holds, and how many times the holding thread took it."""

    def __init__(self, file: IO[bytes], owner: int) -> None:
        self.file = file
        self.owner = owner
        self.count = 1


_held: Dict[str, _Held] = {}
_held_lock = threading.Condition()


class ClusterLocks:
    """The locks of ``clusters`` of ``host``, taken on ``__enter__`` (waiting up to
    ``timeout`` seconds for each; ``None``: without end) and freed on ``__exit__``.
    ``waiting(label, holder)`` is called once for each lock that is held elsewhere."""

    def __init__(self, host: str, clusters: Sequence[Optional[int]], *,
                 timeout: Optional[float] = DEFAULT_LOCK_TIMEOUT,
                 waiting: Optional[Callable[[Optional[int], str], None]] = None) -> None:
        self.paths = sorted({lock_path(host, c): c for c in clusters}.items())
        self.timeout = timeout
        self.waiting = waiting
        self._taken: List[str] = []

    def __enter__(self) -> ClusterLocks:
        try:
            for path, cluster in self.paths:
                self._take(path, cluster)
                self._taken.append(path)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        while self._taken:
            _release(self._taken.pop())

    def _take(self, path: str, cluster: Optional[int]) -> None:
        me = threading.get_ident()
        started = time.monotonic()
        with _held_lock:  # another thread of this process first
            while path in _held and _held[path].owner != me:
                _held_lock.wait(self._left(started, cluster, path))
            if path in _held:
                _held[path].count += 1
                return
            _held[path] = _Held(_open(path), me)  # ours while the file lock is taken
        held = _held[path]
        told = False
        try:
            while not _try_lock(held.file):
                if not told and self.waiting is not None:
                    self.waiting(cluster, _holder(path))
                    told = True
                self._left(started, cluster, path)
                time.sleep(_POLL)
            _write_holder(held.file)
        except BaseException:
            with _held_lock:
                del _held[path]
                held.file.close()
                _held_lock.notify_all()
            raise

    def _left(self, started: float, cluster: Optional[int], path: str) -> Optional[float]:
        if self.timeout is None:
            return None
        left = self.timeout - (time.monotonic() - started)
        if left <= 0:
            self._timed_out(started, cluster, path)
        return min(left, _POLL * 10)

    def _timed_out(self, started: float, cluster: Optional[int], path: str) -> None:
        raise ClusterLockedError(cluster, _holder(path), round(time.monotonic() - started, 1))


def _open(path: str) -> IO[bytes]:
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return os.fdopen(fd, "r+b")


def _try_lock(file: IO[bytes]) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        try:
            file.seek(0)
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _release(path: str) -> None:
    with _held_lock:
        held = _held[path]
        held.count -= 1
        if held.count:
            return
        del _held[path]
        try:
            held.file.seek(0)
            held.file.truncate()
        except OSError:
            pass
        held.file.close()  # frees the lock
        _held_lock.notify_all()


def _write_holder(file: IO[bytes]) -> None:
    text = (f"pid {os.getpid()} on {socket.gethostname()}, since "
            f"{time.strftime('%Y-%m-%d %H:%M:%S')}")
    # Past the first byte, which Windows locks.
    file.seek(1)
    file.truncate()
    file.write(text.encode())
    file.flush()


def _holder(path: str) -> str:
    try:
        with open(path, "rb") as file:
            file.seek(1)
            text = file.read(200).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "a process on this machine"
