"""Writing a user's workbook so that a crash can never leave it broken.

The new workbook is written next to the original, checked, and only then renamed over
it (an atomic step); a copy of the original goes to ``churnkit-backups/`` first, and the
last few copies are kept. At any moment the file on disk is the old workbook or the new
one, never a mix. Each run writes its own temporary file (named by its process), so runs
writing one workbook at once never write into the same file.
"""
from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
from pathlib import Path
from typing import Callable

from .errors import UserError

BACKUP_FOLDER = "churnkit-backups"
BACKUPS_KEPT = 5
TEMP_SUFFIX = ".churnkit-tmp"


def lock_file(path: Path) -> Path:
    """The owner file Excel keeps beside a workbook it has open (``~$orders.xlsx``)."""
    return path.with_name("~$" + path.name)


def check_can_replace(path: Path) -> None:
    """Refuse, changing nothing, when the workbook is open in Excel or cannot be written."""
    if lock_file(path).exists():
        raise UserError(f"{path.name} is open in Excel (there is a lock file {lock_file(path).name}); "
                        "close it and run again. Nothing was changed.")
    if not os.access(path, os.W_OK):
        raise UserError(f"{path.name} is read-only; nothing was changed.")
    if not os.access(path.parent, os.W_OK):
        raise UserError(f"The folder of {path.name} is read-only, so the workbook cannot be replaced safely; "
                        "nothing was changed.")


def temp_path(path: Path) -> Path:
    """This run's new version of ``path`` while it is written: named by the process, so that two runs
    writing the same workbook at once never write into one file."""
    return path.with_name(f"{path.name}.{os.getpid()}{TEMP_SUFFIX}")


def replace_file(path: Path, write: Callable[[Path], None], verify: Callable[[Path], None],
                 now: dt.datetime | None = None) -> Path | None:
    """Write a new version of ``path`` via ``write(temp)``, ``verify(temp)``, back up the old one, rename.

    Returns the backup's path (None when ``path`` did not exist before).
    """
    for left in _left_over(path):
        left.unlink(missing_ok=True)
    temp = temp_path(path)
    try:
        write(temp)
        _fsync(temp)
        verify(temp)
        backup = _back_up(path, now or dt.datetime.now()) if path.exists() else None
        if path.exists():
            shutil.copymode(path, temp)
        os.replace(temp, path)
        _fsync_folder(path.parent)
        return backup
    except FileNotFoundError as exc:
        if exc.filename is None or Path(exc.filename) != temp:
            raise
        raise UserError(f"Another churnkit run started writing {path.name} at the same time, so this one "
                        f"stopped; {path.name} is whole (the other run's result). Run again if you need "
                        "this one's.") from None
    finally:
        temp.unlink(missing_ok=True)


def _left_over(path: Path) -> list[Path]:
    """Temporary files of ``path`` that runs which were killed left behind (not those of runs still going)."""
    found = []
    for temp in path.parent.glob(glob.escape(path.name) + "*" + TEMP_SUFFIX):
        middle = temp.name[len(path.name):-len(TEMP_SUFFIX)]        # ".<pid>", or "" (older churnkit)
        if middle == "" or (middle[:1] == "." and middle[1:].isdigit() and not _still_running(int(middle[1:]), temp)):
            found.append(temp)
    return found


def _still_running(pid: int, temp: Path) -> bool:
    if pid == os.getpid():
        return False
    if os.name != "posix":      # no harmless way to ask Windows here: trust the file for an hour
        return dt.datetime.now().timestamp() - temp.stat().st_mtime < 3600
    try:
        os.kill(pid, 0)         # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True             # it exists, under another user
    return True


def _back_up(path: Path, now: dt.datetime) -> Path:
    folder = path.parent / BACKUP_FOLDER
    folder.mkdir(exist_ok=True)
    stamp = f"{path.stem}-{now:%Y%m%d-%H%M%S}"
    target, number = folder / f"{stamp}{path.suffix}", 1
    while target.exists():
        number += 1
        target = folder / f"{stamp}-{number}{path.suffix}"
    partial = target.with_name(f"{target.name}.{os.getpid()}{TEMP_SUFFIX}")
    shutil.copy2(path, partial)
    os.replace(partial, target)
    mine = sorted((p.stat().st_mtime_ns, p) for p in folder.glob(f"{glob.escape(path.stem)}-????????-??????*{path.suffix}"))
    for _, old in mine[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)       # another run may have pruned it already
    return target


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
