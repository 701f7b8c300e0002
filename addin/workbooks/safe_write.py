"""Writing a user's workbook so that a crash can never leave it broken, and no other save is lost.

The new workbook is written next to the original, checked, and only then renamed over
it (an atomic step); a copy of the original goes to ``churnkit-backups/`` first, and the
last few copies are kept. At any moment the file on disk is the old workbook or the new
one, never a mix. Each run writes its own temporary file (named by its process), so runs
writing one workbook at once never write into the same file; churnkit's own writers of
one workbook also take turns (``writer_lock``), and a workbook that another program saved
since churnkit read it (its size, time or content differ) is never replaced.
"""
from __future__ import annotations

import datetime as dt
import errno
import glob
import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import filelock

from ..errors import UserError

BACKUP_FOLDER = "churnkit-backups"
BACKUPS_KEPT = 5
TEMP_SUFFIX = ".churnkit-tmp"
LOCK_WAIT_SECONDS = 600
Identity = tuple[int, int, str]       # size, modification time (ns), SHA-256 of the content


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


def identity(path: Path) -> Identity | None:
    """What tells that a file changed: size, modification time and a hash of its content (None: no file)."""
    try:
        status = path.stat()
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        return None
    return status.st_size, status.st_mtime_ns, digest.hexdigest()


def changed_sentence(path: Path) -> str:
    return (f"{path.name} changed while churnkit was working on it (another program or churnkit run saved it), "
            "so it was not replaced and that save is kept; run again.")


def writer_lock(path: Path, on_wait: Callable[[], None] | None = None) -> filelock.BaseFileLock:
    """The lock that churnkit's writers of ``path`` take turns by (held from reading to replacing).

    The lock file lives in ``churnkit-backups/`` beside the workbook, not beside the workbook itself.
    """
    folder = path.parent / BACKUP_FOLDER
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise UserError(f"churnkit cannot create the folder {folder} ({exc.strerror}); nothing was changed.") from None
    import filelock         # here: only a run that writes takes the lock (its import takes 13 ms of every start)

    lock = filelock.FileLock(folder / f".{path.name}.lock")
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        if on_wait:
            on_wait()
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except filelock.Timeout:
            raise UserError(f"Another churnkit run has been writing {path.name} for {LOCK_WAIT_SECONDS // 60} "
                            "minutes; nothing was changed. Run again when it has finished.") from None
    return lock


def temp_path(path: Path) -> Path:
    """This run's new version of ``path`` while it is written: named by the process, so that two runs
    writing the same workbook at once never write into one file."""
    return path.with_name(f"{path.name}.{os.getpid()}{TEMP_SUFFIX}")


def replace_file(path: Path, write: Callable[[Path], None], verify: Callable[[Path], None],
                 now: dt.datetime | None = None, expected: Identity | None = None) -> Path | None:
    """Write a new version of ``path`` via ``write(temp)``, ``verify(temp)``, back up the old one, rename.

    ``expected`` is the file's ``identity`` when it was read: when the file is no longer that
    (checked before the backup and again immediately before the rename), nothing is replaced.
    Returns the backup's path (None when ``path`` did not exist before).
    """
    for left in _left_over(path) + _left_over_backups(path):
        left.unlink(missing_ok=True)
    temp = temp_path(path)
    try:
        write(temp)
        _fsync(temp)
        verify(temp)
        _check_unchanged(path, expected)
        backup = _back_up(path, now or dt.datetime.now()) if path.exists() else None
        if path.exists():
            shutil.copymode(path, temp)
        _check_unchanged(path, expected)
        os.replace(temp, path)
        _fsync_folder(path.parent)
        return backup
    except FileNotFoundError as exc:
        if exc.filename is None or Path(exc.filename) != temp:
            raise
        raise UserError(f"Another churnkit run started writing {path.name} at the same time, so this one "
                        f"stopped; {path.name} is whole (the other run's result). Run again if you need "
                        "this one's.") from None
    except OSError as exc:
        raise UserError(_write_failure(path, exc)) from None
    finally:
        temp.unlink(missing_ok=True)


def _check_unchanged(path: Path, expected: Identity | None) -> None:
    if expected is not None and identity(path) != expected:
        raise UserError(changed_sentence(path))


def _write_failure(path: Path, exc: OSError) -> str:
    why = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
           errno.EROFS: "the disk is read-only", errno.EACCES: "permission was denied"}.get(exc.errno, exc.strerror)
    return f"Writing {path.name} failed ({why or exc}); the workbook was not changed."


def _left_over(path: Path) -> list[Path]:
    """Temporary files of ``path`` that runs which were killed left behind (not those of runs still going)."""
    found = []
    for temp in path.parent.glob(glob.escape(path.name) + "*" + TEMP_SUFFIX):
        middle = temp.name[len(path.name):-len(TEMP_SUFFIX)]        # ".<pid>", or "" (older churnkit)
        if middle == "" or (middle[:1] == "." and _dead_writer(middle[1:], temp)):
            found.append(temp)
    return found


def _left_over_backups(path: Path) -> list[Path]:
    """Partial backup copies of ``path`` that killed or failed runs left in ``churnkit-backups/``."""
    folder = path.parent / BACKUP_FOLDER
    name = re.compile(rf"{re.escape(path.stem)}-\d{{8}}-\d{{6}}(?:-\d+)?{re.escape(path.suffix)}\.(\d+){re.escape(TEMP_SUFFIX)}")
    return [partial for partial in folder.glob(glob.escape(path.stem) + "-*" + TEMP_SUFFIX)
            if (match := name.fullmatch(partial.name)) and _dead_writer(match.group(1), partial)]


def _dead_writer(pid: str, temp: Path) -> bool:
    return pid.isdigit() and not _still_running(int(pid), temp)


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
    try:
        shutil.copy2(path, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
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
