"""Where output files go and how they are written: never over a file unasked, never over an
input, never half-written. The one writer for every command's outputs (`atomic_write_all`).

Every output is written to a temporary file in the target folder, flushed to disk and then
renamed over the target in one step, so a crash, a full disk or Ctrl-C leaves either the old
file or the new one, never a broken workbook. The files of one command land all or none. A run
killed outright (SIGKILL, power cut) cannot remove its temporary file; the next run writing the
same name does, once its writer is gone.

Without overwriting, a name is claimed by creating it exclusively (O_EXCL) just before the
finished file is renamed onto it, so two runs at once into one folder never take the same name:
the second gets the next `x(n)` name (or, when numbering is off, an error).

    atomic_write_all([(path, write), ...])                    # replace existing files
    atomic_write_all(jobs, overwrite=False)                   # next free x(n) for all: (paths, renamed)
    atomic_write_all(jobs, overwrite=False, numbered=False)   # refuse when one exists
    atomic_write_all(jobs, inputs=[units_file])               # refuse to write over an input
    atomic_write_all(jobs, beside=2)                          # the last two written by a forked child meanwhile
"""

from __future__ import annotations

import errno
import glob
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from scoring.background import Background
from scoring.errors import Location, OutputError

STALE_AFTER_S = 24 * 3600  # where no process check is possible (Windows), older temp files are stale
_REASONS = {
    errno.ENOSPC: "磁盘空间不足", errno.EROFS: "只读的磁盘或文件夹",
    errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.ENOTDIR: "路径中有同名的文件而不是文件夹",
    errno.EISDIR: "已有同名的文件夹", errno.EEXIST: "已有同名的文件,不是文件夹", errno.ENAMETOOLONG: "路径过长",
}


def reason(exc: OSError) -> str:
    """An operating-system error in Chinese where we know it, else as the system words it."""
    return _REASONS.get(exc.errno, exc.strerror or str(exc))  # type: ignore[arg-type]


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


Writer = Callable[[Path], object]


def atomic_write(path: Path, write: Writer) -> None:
    """Call `write(temp_path)`, then move the finished file to `path` in one step.

    On any exception the temporary file is removed and the exception re-raised; the file
    already at `path` (if any) is left as it was.
    """
    atomic_write_all([(Path(path), write)])


def atomic_write_all(jobs: Sequence[tuple[Path, Writer]], overwrite: bool = True, numbered: bool = True,
                     inputs: Iterable[Path] = (), beside: int = 0) -> tuple[list[Path], bool]:
    """Write files that belong together (workbook, CSV, JSON): all or none. Returns the paths
    written and whether they were numbered because a name was taken.

    Every file is first written completely to a temporary name beside its target; only when all
    of them are finished are they renamed into place. A failure in any of them removes every
    temporary file and leaves the existing files untouched. `overwrite` replaces existing
    files (never one of `inputs`); without it, existing files are kept and the new ones take
    the first number free for all (`numbered`) or are refused.

    `beside`: the last `beside` files are written by a forked child on another core while this
    process writes the others (scoring/background.py; written here after them where there is
    no child, or it fails). Their writers must each write their temporary file whole from what
    they were given, in either process.
    """
    targets = [Path(path) for path, _ in jobs]
    if overwrite:
        _refuse_inputs(targets, inputs)
    temps: list[tuple[Path, Path]] = []
    claimed: list[Path] = []
    try:
        for path in targets:
            remove_stale_temps(path)
            temps.append((_temp_beside(path), path))
        writers = [write for _, write in jobs]
        here = len(jobs) - beside
        with Background(lambda: _write_files(temps[here:], writers[here:]), fork=beside > 0) as child:
            _write_files(temps[:here], writers[:here])
            child.result()
        if overwrite:
            _swap_in(temps)
            return targets, False
        chosen = _claim_names(targets, numbered, claimed)
        _place([tmp for tmp, _ in temps], chosen)
        claimed.clear()  # placed: ours to keep
        return chosen, chosen != targets
    except BaseException:
        for path in claimed:  # names claimed but not all filled: none of this run's files stay
            path.unlink(missing_ok=True)
        for path in targets:  # by name, not by `temps`: a signal may land right after mkstemp
            for tmp in _temps_of(path, str(os.getpid())):
                tmp.unlink(missing_ok=True)
        raise


def _write_files(temps: Sequence[tuple[Path, Path]], writers: Sequence[Writer]) -> bool:
    """Each writer's file at its temporary path, flushed to disk, with the target's mode."""
    for (tmp, path), write in zip(temps, writers):
        try:
            write(tmp)
            _flush_to_disk(tmp)
            os.chmod(tmp, _target_mode(path))
        except OSError as exc:  # disk full, quota, folder removed meanwhile
            raise OutputError(f"写入文件失败({reason(exc)}),原有文件未改动", Location(file=str(path))) from exc
    return True


def _refuse_inputs(targets: list[Path], inputs: Iterable[Path]) -> None:
    """An output may never replace a file the command read (`--out` = the input folder)."""
    inputs = [Path(i) for i in inputs]
    for target in targets:
        for source in inputs:
            if target.absolute() == source.absolute() or _same_file(target, source):
                raise OutputError(f"输出文件与本次读取的输入文件“{source}”是同一个文件,不会覆盖输入;"
                                  "请换一个输出文件夹(--out)", Location(file=str(target)))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _claim_names(targets: list[Path], numbered: bool, claimed: list[Path]) -> list[Path]:
    """Create the targets (or the first free numbered set) empty and exclusively, all or none.

    `claimed` collects what this run created, for the caller to remove on failure."""
    while True:
        chosen = choose_paths(targets, overwrite=False)[0] if numbered else targets
        try:
            for path in chosen:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
                claimed.append(path)
            return chosen
        except FileExistsError as exc:  # another run took a name between looking and claiming
            for path in claimed:
                path.unlink(missing_ok=True)
            claimed.clear()
            if not numbered:
                raise OutputError("输出文件已存在;如确认覆盖,请加 --overwrite", Location(file=exc.filename)) from None
        except OSError as exc:
            raise OutputError(f"无法写入该文件({reason(exc)})", Location(file=exc.filename)) from exc


def _place(temps: list[Path], targets: list[Path]) -> None:
    """Rename finished temp files onto the names this run claimed."""
    for tmp, path in zip(temps, targets):
        try:
            os.replace(tmp, path)
        except OSError as exc:
            if isinstance(exc, PermissionError):
                raise OutputError("无法写入该文件,它可能正被其他程序打开,请关闭后重试", Location(file=str(path))) from exc
            raise OutputError(f"无法写入该文件({reason(exc)})", Location(file=str(path))) from exc


def _swap_in(temps: list[tuple[Path, Path]]) -> None:
    """Rename finished temp files over their targets, all or none.

    Existing targets are first set aside under a backup name; if any rename fails, the new
    files are removed and the backups put back, so a file open in Excel never leaves a new
    workbook beside an old CSV.
    """
    for _, path in temps:
        if path.is_dir():
            raise OutputError(f"无法写入该文件({reason(OSError(errno.EISDIR, 'is a directory'))}),原有文件未改动",
                              Location(file=str(path)))
    backups: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    current = temps[0][1] if temps else None
    try:
        for _, path in temps:
            current = path
            if path.exists():
                backup = _backup_of(path)
                os.replace(path, backup)
                backups.append((backup, path))
        for tmp, path in temps:
            current = path
            os.replace(tmp, path)
            placed.append(path)
    except OSError as exc:
        for path in placed:
            path.unlink(missing_ok=True)
        for backup, path in backups:
            os.replace(backup, path)
        if isinstance(exc, PermissionError):
            raise OutputError(
                "无法覆盖该文件,它可能正被 Excel 或其他程序打开,请关闭后重试;原有文件未改动", Location(file=str(current))
            ) from exc
        raise OutputError(f"无法写入该文件({reason(exc)}),原有文件未改动", Location(file=str(current))) from exc
    for backup, _ in backups:
        backup.unlink(missing_ok=True)


def _backup_of(path: Path) -> Path:
    return path.with_name(f".{path.stem}.{os.getpid()}.bak{path.suffix}")


def _temp_beside(path: Path) -> Path:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.{os.getpid()}.", suffix=f".tmp{path.suffix}")
    except OSError as exc:
        raise OutputError(
            f"无法在文件夹“{folder}”中写入文件({reason(exc)}),请检查文件夹是否存在、是否有写入权限",
            Location(file=str(path)),
        ) from exc
    os.close(fd)
    return Path(tmp_name)


def remove_stale_temps(path: Path) -> None:
    """Tidy up after a run that was killed while writing `path`.

    Its temporary files (`.x.<pid>.<random>.tmp.xlsx`) are removed; a backup it had set aside
    (`.x.<pid>.bak.xlsx`) is put back when the target is missing, else removed.
    """
    prefix = f".{path.stem}."
    for backup in path.parent.glob(f"{glob.escape(prefix)}*.bak{glob.escape(path.suffix)}"):
        pid = backup.name[len(prefix):].split(".")[0]
        try:
            if pid.isdigit() and _abandoned(backup, int(pid)):
                if path.exists():
                    backup.unlink()
                else:
                    os.replace(backup, path)
        except OSError:
            pass  # not ours to touch: it does not affect this run
    for tmp in _temps_of(path):
        try:
            if _abandoned(tmp, int(tmp.name[len(path.stem) + 2:].split(".")[0])):
                tmp.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: it does not affect this run


def _temps_of(path: Path, pid: str = r"\d+") -> list[Path]:
    """Temporary files of `path` written by process `pid` (any process by default)."""
    prefix = f".{path.stem}."
    name = re.compile(rf"{pid}\.[^.]+\.tmp{re.escape(path.suffix)}")
    found = path.parent.glob(f"{glob.escape(prefix)}*.tmp{glob.escape(path.suffix)}")
    return [tmp for tmp in found if name.fullmatch(tmp.name[len(prefix):])]


def _abandoned(tmp: Path, pid: int) -> bool:
    if pid == os.getpid():
        return False
    if os.name == "nt":  # os.kill would end the process there; go by age instead
        return time.time() - tmp.stat().st_mtime > STALE_AFTER_S
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # exists, but belongs to someone else
        return False
    return False


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
