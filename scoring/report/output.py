"""Where output files go and how they are written: never over a file unasked, never half-written.

Every output is written to a temporary file in the target folder, flushed to disk and then
renamed over the target in one step, so a crash, a full disk or Ctrl-C leaves either the old
file or the new one, never a broken workbook.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from scoring.errors import Location, OutputError


def numbered(path: Path, n: int) -> Path:
    """`x.xlsx` → `x(n).xlsx`; n == 1 is the path itself."""
    return path if n == 1 else path.with_name(f"{path.stem}({n}){path.suffix}")


def choose_paths(paths: Sequence[Path], overwrite: bool) -> tuple[list[Path], bool]:
    """Paths to write for files that belong together (x.xlsx, x.csv, x.json).

    When any of them exists and `overwrite` is off, all move to the first number free for
    every one of them, so the files of one run keep one name. Returns (paths, renamed?).
    """
    if overwrite:
        return list(paths), False
    n = 1
    while any(numbered(p, n).exists() for p in paths):
        n += 1
    return [numbered(p, n) for p in paths], n > 1


def choose_path(path: Path, overwrite: bool) -> tuple[Path, bool]:
    """Path to write: `path` itself, or the next free `x(2).xlsx`, `x(3).xlsx` … beside it."""
    chosen, renamed = choose_paths([path], overwrite)
    return chosen[0], renamed


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(temp_path)`, then move the finished file to `path` in one step.

    On any exception the temporary file is removed and the exception re-raised; the file
    already at `path` (if any) is left as it was.
    """
    atomic_write_all([(Path(path), write)])


def atomic_write_all(jobs: Sequence[tuple[Path, Callable[[Path], None]]]) -> None:
    """Write files that belong together (workbook, CSV, JSON): all or none.

    Every file is first written completely to a temporary name beside its target; only when all
    of them are finished are they renamed into place. A failure in any of them removes every
    temporary file and leaves the existing files untouched.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, write in jobs:
            tmp = _temp_beside(Path(path))
            temps.append((tmp, Path(path)))
            write(tmp)
            _flush_to_disk(tmp)
            os.chmod(tmp, _target_mode(Path(path)))
        for tmp, path in temps:
            try:
                os.replace(tmp, path)
            except PermissionError as exc:
                raise OutputError(
                    "无法覆盖该文件,它可能正被 Excel 或其他程序打开,请关闭后重试", Location(file=str(path))
                ) from exc
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise


def _temp_beside(path: Path) -> Path:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")
    except OSError as exc:
        raise OutputError(
            f"无法在文件夹“{folder}”中写入文件({exc.strerror or exc}),请检查文件夹是否存在、是否有写入权限",
            Location(file=str(path)),
        ) from exc
    os.close(fd)
    return Path(tmp_name)


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _target_mode(path: Path) -> int:
    """Keep the mode of the file being replaced; a new file gets the usual 0666 minus umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
