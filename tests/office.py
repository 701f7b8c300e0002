"""Opening what churnkit writes in LibreOffice headless, as a second, independent reader."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def tool(name: str, package: str) -> str:
    """A command-line tool's path; under CI its absence fails the test, on a laptop it skips with the reason."""
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed; .ci/run installs {package}.")
    pytest.skip(f"{name} is not installed: apt-get install {package}")


def soffice() -> str:
    return tool("soffice", "libreoffice-calc-nogui")


def pdf_text(pdf: Path) -> str:
    """The text of a PDF, by poppler's pdftotext."""
    return subprocess.run([tool("pdftotext", "poppler-utils"), "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def convert(path: Path, out_dir: Path, to: str = "pdf") -> Path:
    """Convert ``path`` with LibreOffice headless and return the file it wrote."""
    profile = out_dir / "lo-profile"
    result = subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
         "--convert-to", to, "--outdir", str(out_dir), str(path)],
        capture_output=True, text=True, timeout=180)
    target = out_dir / (path.stem + "." + to.split(":")[0])
    assert "Error" not in result.stderr, result.stderr
    assert result.returncode == 0 and target.exists(), f"LibreOffice could not open {path.name}: {result.stderr}"
    return target


CSV_RAW_VALUES = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false"
"""LibreOffice's CSV export of the first sheet: UTF-8, numbers as stored (not as shown)."""


def page_pixels(pdf: Path, page: int = 1, dpi: int = 100) -> list[tuple[int, int, int]]:
    """The colours of one page's pixels, rendered by poppler's pdftoppm (as PPM, read here)."""
    out = pdf.with_name(f"{pdf.stem}-page{page}")
    subprocess.run([tool("pdftoppm", "poppler-utils"), "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(out)], check=True, capture_output=True)
    data = out.with_suffix(".ppm").read_bytes()
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert magic == b"P6" and depth == b"255"
    return [tuple(pixels[i:i + 3]) for i in range(0, int(width) * int(height) * 3, 3)]


def page_count(pdf: Path) -> int:
    """The number of pages of a PDF, by poppler's pdfinfo."""
    info = subprocess.run([tool("pdfinfo", "poppler-utils"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def count_near(pixels: list[tuple[int, int, int]], colour: str, tolerance: int = 20) -> int:
    """How many pixels are within ``tolerance`` of an ``RRGGBB`` colour in every channel."""
    wanted = tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return sum(all(abs(a - b) <= tolerance for a, b in zip(pixel, wanted)) for pixel in pixels)
