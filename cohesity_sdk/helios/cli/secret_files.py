"""One-time secrets of an answer (a new key, a session id): decided before anything is
sent whether they go to a file (``--secret-file``, mode 0600) or are printed as JSON,
never lost by an output that cannot show them."""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING, Dict, Optional

from cohesity_sdk.helios.cli.failures import SecretNotSaved, UsageError
from cohesity_sdk.helios.cli.spec import Command

if TYPE_CHECKING:
    from cohesity_sdk.helios.private_file import PrivateFile


def secret_file_for(command: Command, args: argparse.Namespace,
                 output: str) -> Optional[PrivateFile]:
    """Where the answer's one-time secret goes, decided before anything is sent: a file,
    JSON output, or a refusal (a table or CSV has no column for it)."""
    path = getattr(args, "secret_file", None)
    if not command.returns_secret:
        return None
    if path is None:
        if output != "json":
            raise UsageError(
                f"-o {output} cannot show the answer's secret "
                f"({', '.join(command.answer_secrets)}), which the API gives only once: add "
                f"--secret-file PATH to keep it in a file (mode 0600), or use -o json; "
                f"nothing was sent")
        return None
    if os.path.isdir(path):
        raise UsageError(f"--secret-file {path}: is a folder; nothing was sent")
    from cohesity_sdk.helios.private_file import PrivateFile

    try:
        return PrivateFile(path)
    except OSError as exc:
        raise UsageError(f"--secret-file {path}: cannot write there ({exc.strerror}); "
                         f"nothing was sent") from None


def answer_secrets(command: Command, raw: bytes) -> Dict[str, str]:
    answer = json.loads(raw) if raw else {}
    found = {name: answer.get(name) for name in command.answer_secrets
             if isinstance(answer, dict) and answer.get(name) is not None}
    if not found:
        raise SecretNotSaved("the call succeeded, but its answer holds no secret to write")
    return {name: str(value) for name, value in found.items()}
