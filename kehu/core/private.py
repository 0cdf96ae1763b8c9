"""Owner-only files (PLT-3): the data directory, the SQLite database and the backups hold every
customer's and every payment's data, so they are readable by Kehu's own user only — files
0600, directories 0700 — whatever the umask of the process that wrote them."""

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """`path` made (with its parents) and closed to everyone but its owner."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    _chmod(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """An empty file at `path` (which must not exist), created 0600 — so that what is then
    written into it is never readable by others, not even for a moment."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
    return path


def keep_sqlite_private(sender, connection, **kwargs) -> None:
    """connection_created: a SQLite database file (and its journal files) 0600."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(name + suffix)
        if path.exists():
            _chmod(path, PRIVATE_FILE)


def _chmod(path: Path, mode: int) -> None:
    """Only what this user owns (a shared directory given as the data dir stays as it is)."""
    try:
        if path.stat().st_uid == os.getuid() and (path.stat().st_mode & 0o777) != mode:
            os.chmod(path, mode)
    except OSError:
        pass
