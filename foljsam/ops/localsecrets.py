"""Strong local secrets for `make serve` (production settings on a developer's or test machine).

    eval "$(python -m foljsam.ops.localsecrets)"

Prints `export NAME=value` for DJANGO_SECRET_KEY and FOLJSAM_PSEUDONYM_KEY when they are not set in
the environment, generating them once into `$FOLJSAM_DATA_DIR/local-secrets.env` (mode 0600) and
reusing them afterwards: the pseudonym key must stay the same, or the monthly pseudonyms of earlier
imports no longer match. A real installation sets both in its environment (docs/deploy.md); then
this prints nothing. Pure Python, no Django: it runs before the settings can load.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys
from pathlib import Path

NAMES = ("DJANGO_SECRET_KEY", "FOLJSAM_PSEUDONYM_KEY")
FILENAME = "local-secrets.env"


def data_dir() -> Path:
    # The same default as settings.DATA_DIR.
    return Path(os.getenv("FOLJSAM_DATA_DIR", Path(__file__).resolve().parents[2] / "data")).resolve()


def _read(path: Path) -> dict[str, str]:
    values = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep and name in NAMES:
                values[name] = value
    return values


def ensure(directory: Path) -> tuple[dict[str, str], list[str]]:
    """The secrets missing from the environment, generating and storing those not yet in the file."""
    path = directory / FILENAME
    stored = _read(path)
    generated = [name for name in NAMES if not os.getenv(name) and name not in stored]
    if generated:
        directory.mkdir(parents=True, exist_ok=True)
        for name in generated:
            stored[name] = secrets.token_urlsafe(48)  # 64 characters: above Django's own 50 for W009
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("".join(f"{name}={value}\n" for name, value in stored.items()))
        os.chmod(path, 0o600)
    return {name: stored[name] for name in NAMES if not os.getenv(name)}, generated


def main() -> None:
    directory = data_dir()
    missing, generated = ensure(directory)
    for name in generated:
        print(f"{name} saknades: ett starkt lokalt värde skapades i {directory / FILENAME}.", file=sys.stderr)
    for name, value in missing.items():
        if name not in generated:
            print(f"{name} hämtas från {directory / FILENAME}.", file=sys.stderr)
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
