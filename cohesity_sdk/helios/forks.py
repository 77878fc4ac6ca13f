"""State that a forked child process must not inherit as it is: locks a thread of the
parent may hold, connections the parent reads from. Objects register a function that
makes theirs anew, run in the child right after ``os.fork()`` (``multiprocessing``'s
fork start method and ``ProcessPoolExecutor`` use it). The ground floor: imports nothing
of the SDK.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import Any, Callable, List, MutableMapping

_resets: MutableMapping[Any, Callable[[Any], None]] = weakref.WeakKeyDictionary()
# What a forked child left behind: never used there again, and never closed or
# collected either, since a thread of the parent may have held one of its locks.
_abandoned: List[Any] = []
_installed = False
_install_lock = threading.Lock()


def after_fork_in_child(owner: Any, reset: Callable[[Any], None]) -> None:
    """Call ``reset(owner)`` in every process forked from this one, for as long as
    ``owner`` lives here."""
    global _installed
    _resets[owner] = reset
    if not _installed and hasattr(os, "register_at_fork"):  # not on Windows
        with _install_lock:
            if not _installed:
                os.register_at_fork(after_in_child=_reset_all)
                _installed = True


def abandon(thing: Any) -> None:
    """Keep ``thing`` (the parent's connections, say) alive and untouched in this
    child: closing it, or letting the collector do so, could wait on a lock that a
    thread of the parent held at the fork."""
    _abandoned.append(thing)


def _reset_all() -> None:
    for owner, reset in list(_resets.items()):
        reset(owner)
