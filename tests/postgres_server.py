"""A throw-away PostgreSQL cluster for the tests: Debian's server binaries, a data folder in a temporary
directory, listening on 127.0.0.1 only, with a password (scram-sha-256) so that churnkit's password handling is
what is tested. ``.ci/run`` starts one with this module and exports its URL; without that variable the tests'
fixture starts one itself. initdb refuses to run as root: as root it runs as the ``postgres`` user."""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

URL_VARIABLE = "CHURNKIT_TEST_POSTGRES_URL"       # postgresql://postgres@127.0.0.1:PORT/postgres
PASSWORD = "s3cret-Pw"


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def running():
    """Start a cluster; yield its URL (without the password, which is ``PASSWORD``); stop and remove it."""
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL's server (Debian package postgresql) is not installed")
    folder = Path(tempfile.mkdtemp(prefix="churnkit-pg-"))
    data, password_file = folder / "data", folder / "pw"
    password_file.write_text(PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(password_file, "postgres")
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "scram-sha-256",
                                    f"--pwfile={password_file}", "-E", "UTF8", "--no-locale"]), **quiet)
    subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
                                    f"-h 127.0.0.1 -p {port} -k {folder} -F", "start"]), **quiet)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":      # for .ci/run: print the URL, keep the server until stdin closes
    with running() as url:
        print(url, flush=True)
        sys.stdin.read()
