"""load_data: an input folder (or one file) → AgencyData for one period.

Which files are read for a run of period P (see docs/input_formats.md):
- `units.csv`/`units.xlsx` at the top of the folder (for one file: beside it or up to two
  folders up; none → units taken from the data's unit column, with an info issue);
- top-level CSV/XLSX files: metric rows whose `period` column says P (no period column → read
  as P, with an info issue), and all their publication records;
- the folder named P (`2021Q4/`): its metrics and records; any other period folder that overlaps
  P (`2021/` for 2021Q4): its records only. Other folders (`review/`) are ignored; one that
  starts with a year but is no period is named in a warning. Folder names are read by
  `scoring.data.folders`, as the main job finds its comparison period.
Files are read in name order, top-level first; of conflicting values the last one read is used.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path
from threading import Event

import numpy as np
import pandas as pd

from scoring import PRODUCER
from scoring.appeals import is_adjustments_file
from scoring.data.folders import find_period_folders, folder_period, period_folders, unread_folders
from scoring.data.forms import check_forms, form_sheets
from scoring.data.issuelog import IssueLog
from scoring.data.metrics import long_cells, wide_cells
from scoring.data.model import VALUE_COLUMNS, AgencyData
from scoring.data.names import Names, code_type, map_distinct, unit_position
from scoring.data.quantities import convert_units
from scoring.data.rawtable import Columns, RawTable
from scoring.data.records import NO_DAY, day_numbers, empty_records, needs_titles, record_rows
from scoring.data.tables import SUFFIXES, read_table
from scoring.data.units import UnitIndex, derive_units, read_units, reconcile_codes
from scoring.data.values import parse_values
from scoring.errors import InputError, Location, printable
from scoring.issues import DataIssue
from scoring.numbers import normalize_text
from scoring.periods import Period
from scoring.progress import track
from scoring.scheme.model import Scheme

UNITS_STEMS = ("units", "单位名单")
PARENT_LEVELS = 2  # a single file looks for the units file this many folders up
# CSV files read at once: while files' records are made in Python (holding the GIL), pyarrow parses
# another without it. Three kept both cores busier than two (a 50M-record year: +0.4 GB at the peak)
READ_AHEAD = 3


@dataclass(frozen=True)
class DataFile:
    path: Path
    display: str
    folder_period: Period | None  # the period folder it sits in
    metrics: bool  # False: a period folder that only overlaps the run: records only
    sheet: str | None = None  # the worksheet of a form workbook (one per unit)
    form: bool = False  # a fill-in form made by `score form`


def load_data(input_path: str | Path, period: str | Period, scheme: Scheme | None = None,
              progress: bool = True, units: str | Path | None = None) -> AgencyData:
    """Read units, metric values and publication records for `period` from a folder or one file."""
    return load_periods(input_path, [period], scheme, progress, units)[0]


def load_periods(input_path: str | Path, periods: Sequence[str | Period], scheme: Scheme | None = None,
                 progress: bool = True, units: str | Path | None = None) -> list[AgencyData]:
    """`load_data` for each period (a run and the one it is compared with); a file several of
    them read (a year of publication records, the units file) is read and checked only once.
    `units`: a units file kept elsewhere (an office's score.toml may name one); by default the
    one at the top of the input folder."""
    loader = Loader(input_path, scheme, progress, units)
    runs = [p if isinstance(p, Period) else Period.parse(str(p)) for p in periods]
    # each period's files are read while the first period's are: its metrics file's values made meanwhile
    return [loader.load(run, later=runs[i + 1:]) for i, run in enumerate(runs)]


class Loader:
    """Periods' data, one period at a time, each file read and checked once whatever the
    number of periods: the main job reads its own period, then a forked child reads the
    periods it is compared with from what is already read (a year of records) while the run
    scores its own (scoring/cli/run_cmd.py)."""

    def __init__(self, input_path: str | Path, scheme: Scheme | None = None, progress: bool = True,
                 units: str | Path | None = None):
        self.path = Path(input_path)
        if not self.path.exists():
            raise InputError(f"找不到输入“{self.path}”,请检查 --input 的路径")
        if units is not None and not Path(units).is_file():
            raise InputError("找不到单位名单文件", Location(file=str(units)))
        self.units = Path(units) if units else None
        self.progress = progress
        self.names = Names.build(scheme)
        self.files = _Files(self.names, titles=needs_titles(scheme))
        self.reads_values = scheme is not None and _reads_values(scheme)

    def load(self, run: Period, later: Sequence[Period] = ()) -> AgencyData:
        """`run`'s data; the CSV files of the `later` periods are read meanwhile (kept for them)."""
        plan = _Plan.make(self.path, run, self.units)
        return _load(self.path, plan, self.names, self.files, self.progress, self.reads_values,
                     [_Plan.make(self.path, p, self.units) for p in later])


@dataclass(frozen=True)
class _Plan:
    """What a period reads (`_plan`), and the issues its run has from the start."""

    run: Period
    issues: IssueLog
    base: Path
    units_path: Path | None
    files: list[DataFile]

    @classmethod
    def make(cls, path: Path, run: Period, units_override: Path | None) -> "_Plan":
        issues = IssueLog()
        return cls(run, issues, *_plan(path, run, issues, units_override))


def _reads_values(scheme: Scheme) -> bool:
    """Whether the criteria read any metric from data files (not only from publication records)."""
    from scoring.scheme.usage import metrics_used

    derived = {m.id for m in scheme.metrics if m.derived}
    return bool(metrics_used(scheme) - derived)


def _load(path: Path, planned: _Plan, names: Names, files: "_Files", progress: bool, reads_values: bool,
          later: list[_Plan]) -> AgencyData:
    run, issues, base, units_path, plan = planned.run, planned.issues, planned.base, planned.units_path, planned.files
    units_file = _display(units_path, base) if units_path is not None else ""
    early = (lambda: files.early_index(units_path, units_file)) if units_path is not None else (lambda: None)
    tables = _read_tables(plan, run, names, files, issues, progress, early,
                          [(data_file, p.run) for p in later for data_file in p.files])
    if units_path is not None:
        units, index = files.units(units_path, units_file, issues)
        sources = [units_file]
    else:
        units, sources = _derived_units(tables, names, issues), []
        index = UnitIndex.build(units, issues, None)

    value_parts: list[pd.DataFrame] = []
    record_files: list[DataFile] = []
    for data_file, table, kind in tables:
        sources.append(table.file)
        if kind == "records":
            files.records(data_file, table, index, issues, shared_index=units_path is not None)
            record_files.append(data_file)
        else:
            value_parts.append(files.values(data_file, table, run, index, issues))
    check_forms(value_parts, {f.display for f, _, kind in tables if f.form and kind != "records"}, units, issues)
    values = _resolve_duplicates(value_parts, index, names, issues)
    records = files.merged(record_files, index, issues, lambda log: _merge_records(
        [files.records_frame(f, index) for f in record_files], log,
        lambda i: files.records_with_titles(record_files[i], index)))
    own_folder = any(data_file.folder_period == run for data_file, _, _ in tables)
    if values.empty and (records.empty or (reads_values and path.is_dir() and not own_folder)):
        # criteria that read metric values, given only a longer period's records (2021/ for
        # 2021H2), would score every unit alike
        raise InputError(f"没有找到期间 {run.label}({run.chinese})的指标数据或发布记录{_looked_in(path, run)}。"
                         f"{_found_periods(path)}{_file_problems(issues)}", Location(file=str(path)))
    return AgencyData(run, units, values, records, tuple(issues.items), tuple(sources))


class _Files:
    """What one load reads, each file once whatever the number of periods, with the issues
    reading it raised (repeated into every period that uses the file).

    Record titles are left unread unless the criteria filter on them: they are most of a big
    records file's bytes and parsing time. Telling apart records that two files both hold
    needs them, so the few files concerned are then read again with their titles.
    """

    def __init__(self, names: Names, titles: bool):
        self.names, self.titles = names, titles
        self._tables: dict[tuple[Path, str | None], tuple[RawTable | None, list[DataIssue]]] = {}
        self._units: dict[Path, tuple[pd.DataFrame, UnitIndex, list[DataIssue]]] = {}
        self._records: dict[tuple[Path, int], tuple[pd.DataFrame, list[DataIssue]]] = {}
        self._merged: dict[tuple, tuple[pd.DataFrame, list[DataIssue]]] = {}
        self._values: dict[tuple, tuple[pd.DataFrame, list[DataIssue]]] = {}
        self._stopped = Event()  # a run stopped (Ctrl-C, a file's error): reading threads make nothing more

    def tables(self, plan: list[DataFile], run: Period, issues: IssueLog, early: Callable[[], UnitIndex | None],
               later: list[tuple[DataFile, Period]]) -> Iterator[tuple[DataFile, RawTable | None]]:
        """`table` of each file, in the plan's order. CSV files are read READ_AHEAD at a time,
        the smallest first (a metrics file is not left waiting behind twelve months of records):
        while pyarrow parses one (on every core, without the GIL), Python works on another's top
        rows, odd rows, codes and, given the units file's index (`early()`, read here while the
        first files are parsed), its records, so twelve monthly files keep both cores busy.
        While waiting for a file, this thread makes the values of each metrics file already
        parsed (here, where a Ctrl-C stops them at once, and not after the last month of records
        is parsed). The CSV files of the `later` periods (with their runs) are read meanwhile too,
        and kept for them unless reading one fails (it then fails in its own period)."""
        wanted: dict[tuple[Path, str | None], tuple[DataFile, Period]] = {}
        for data_file, its_run in [*((f, run) for f in plan), *later]:  # a file two periods read: with the first
            wanted.setdefault((data_file.path, data_file.sheet), (data_file, its_run))
        fresh = [(f, r) for key, (f, r) in wanted.items() if key not in self._tables and f.path.suffix.lower() == ".csv"]
        sizes = {f.path: f.path.stat().st_size if f.path.is_file() else 0 for f, _ in fresh}  # the reader says what is wrong
        ready: Future[UnitIndex | None] = Future()  # the reading threads wait for it once a file is parsed
        pool = ThreadPoolExecutor(max_workers=READ_AHEAD)  # spreadsheets: read in turn, below
        try:
            futures = {(f.path, f.sheet): pool.submit(self._read, f, ready.result)
                       for f, _ in sorted(fresh, key=lambda pair: sizes[pair[0].path])}
            index = early()
            ready.set_result(index)
            unworked = {futures[(f.path, f.sheet)]: (f, r) for f, r in fresh}
            for data_file in plan:
                future = futures.pop((data_file.path, data_file.sheet), None)
                if future is not None:
                    self._await(future, unworked, index)
                    self._tables[(data_file.path, data_file.sheet)] = future.result()
                yield data_file, self.table(data_file, issues, index)
            for key, future in futures.items():  # the later periods' files
                self._await(future, unworked, index)
                if future.exception() is None:
                    self._tables[key] = future.result()
        except BaseException:  # Ctrl-C or a file that stops the run: the files not started are not
            self._stopped.set()  # read, and those being parsed are not made into records or values
            if not ready.done():
                ready.set_result(None)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _await(self, future: Future, unworked: dict[Future, tuple[DataFile, Period]], index: UnitIndex | None) -> None:
        """While `future` is parsed, the values of the metrics files already parsed are made."""
        if index is not None:
            _work_ahead(future, unworked, lambda data_file, run, table: self.values(data_file, table, run, index))

    def table(self, data_file: DataFile, issues: IssueLog, index: UnitIndex | None = None) -> RawTable | None:
        key = (data_file.path, data_file.sheet)
        if key not in self._tables:
            self._tables[key] = self._read(data_file, lambda: index)
        table, found = self._tables[key]
        issues.items.extend(found)
        return table

    def _read(self, data_file: DataFile,
              index_of: Callable[[], UnitIndex | None]) -> tuple[RawTable | None, list[DataIssue]]:
        """The file's table and issues; given the units file's index (`index_of()`, asked once
        the file is parsed), a records file's records are made here (its cells then let go,
        `records`)."""
        log = IssueLog()
        table = read_table(data_file.path, data_file.display, self._is_header, log, self._columns,
                           sheet=data_file.sheet)
        index = index_of() if table is not None else None
        kind = _kind(table, self.names) if table is not None and index is not None and not self._stopped.is_set() else None
        if kind == "records":
            table = self._made_records(data_file, table, index, let_go=True)  # type: ignore[arg-type]
        return table, log.items

    def early_index(self, path: Path, file: str) -> UnitIndex | None:
        """The units file's index, read before the data files so that each records file's
        records are made in its reading thread while pyarrow parses the next file. None when
        the units file cannot be read: that is then reported where it always was, after the
        data files (`units`), and its issues join the log there too."""
        try:
            return self.units(path, file)[1]
        except InputError:
            return None

    def values(self, data_file: DataFile, table: RawTable, run: Period, index: UnitIndex,
               issues: IssueLog | None = None) -> pd.DataFrame | None:
        """A metrics file's values for `run`, made once (ahead, while later files are parsed),
        their issues added to `issues` when given; None for a file that holds no metric values."""
        key = (data_file.path, data_file.sheet, run.label, id(index))
        if key not in self._values:
            kind = _kind(table, self.names)
            if not data_file.metrics or kind not in ("long", "wide"):
                return None
            log = IssueLog()
            self._values[key] = (_values(data_file, table, kind, run, self.names, index, log), log.items)
        frame, found = self._values[key]
        if issues is not None:
            issues.items.extend(found)
        return frame

    def units(self, path: Path, file: str, issues: IssueLog | None = None) -> tuple[pd.DataFrame, UnitIndex]:
        """The units file and its index, read once; its issues added to `issues` when given."""
        if path not in self._units:
            log = IssueLog()
            units = _read_units_file(path, file, self.names, log)
            self._units[path] = (units, UnitIndex.build(units, log, file), log.items)
        units, index, found = self._units[path]
        if issues is not None:
            issues.items.extend(found)
        return units, index

    def records(self, data_file: DataFile, table: RawTable, index: UnitIndex, issues: IssueLog,
                shared_index: bool) -> None:
        """The file's records, made once for this units index (`records_frame`), their issues
        added to `issues`. With a units file (`shared_index`) the index serves every period, so
        the file's cells are let go once its records are made: at 50,000,000 records they are
        most of a gigabyte."""
        key = (data_file.path, id(index))  # the same units index: a units file shared by the periods
        if key not in self._records:
            at = (data_file.path, data_file.sheet)
            self._tables[at] = (self._made_records(data_file, table, index, shared_index), self._tables[at][1])
        issues.items.extend(self._records[key][1])

    def _made_records(self, data_file: DataFile, table: RawTable, index: UnitIndex, let_go: bool) -> RawTable:
        """Makes the file's records and keeps them with their issues; the table, without its
        cells when `let_go`."""
        log = IssueLog()
        self._records[(data_file.path, id(index))] = (record_rows(table, self.names, index, log), log.items)
        return replace(table, cells=table.cells.iloc[:0], rows=table.rows[:0]) if let_go else table

    def records_frame(self, data_file: DataFile, index: UnitIndex) -> pd.DataFrame:
        """The records `records` made, or made again from the file when a merge let them go."""
        key = (data_file.path, id(index))
        frame, found = self._records[key]
        if frame is None:
            table = read_table(data_file.path, data_file.display, self._is_header, IssueLog(), self._columns)
            assert table is not None, "read before"
            frame = record_rows(table, self.names, index, IssueLog())
        return frame

    def merged(self, record_files: list[DataFile], index: UnitIndex, issues: IssueLog,
               merge: Callable[[IssueLog], pd.DataFrame]) -> pd.DataFrame:
        """All records of these files, merged once for the periods that read the same files
        (a year's records for the run and for the quarter it is compared with)."""
        key = (tuple(f.path for f in record_files), id(index))
        if key not in self._merged:
            log = IssueLog()
            self._merged[key] = (merge(log), log.items)
            for data_file in record_files:  # in the merged table now; a different merge reads them again
                self._records[(data_file.path, id(index))] = (None, self._records[(data_file.path, id(index))][1])
        frame, found = self._merged[key]
        issues.items.extend(found)
        return frame

    def records_with_titles(self, data_file: DataFile, index: UnitIndex) -> pd.DataFrame:
        """The file's records with their titles (its issues were reported on the first read)."""
        key = (data_file.path, id(index))
        if not self.titles:
            table = read_table(data_file.path, data_file.display, self._is_header, IssueLog(),
                               lambda header: self._columns(header, titles=True), sheet=data_file.sheet)
            assert table is not None, "read before without its titles"
            self._records[key] = (record_rows(table, self.names, index, IssueLog()), self._records[key][1])
        return self._records[key][0]

    def _is_header(self, cells: list[str]) -> bool:
        return _is_header(cells, self.names)

    def _columns(self, header: tuple[str, ...], titles: bool | None = None) -> Columns:
        """A records file's columns read as codes: millions of records, a few thousand distinct
        units, dates and categories (titles, when read, stay Arrow text behind their codes,
        never Python strings); its titles unread unless needed."""
        roles = self.names.positions(header)
        if _kind_of(roles) != "records":
            return Columns()
        read_titles = self.titles if titles is None else titles
        skip = () if read_titles or "title" not in roles else (roles["title"],)
        coded = [roles[r] for r in ("date", "category", "due_date", "title") if r in roles] + [unit_position(roles)]
        return Columns(frozenset(skip), frozenset(coded))


def _plan(path: Path, run: Period, issues: IssueLog,
          units_override: Path | None) -> tuple[Path, Path | None, list[DataFile]]:
    """The folder names are shown relative to, the units file, and the data files to read."""
    if path.is_dir():
        units_path = units_override or _units_file(path, issues)
        return path, units_path, _folder_files(path, run, issues, exclude=units_path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(f"不支持的文件类型“{path.suffix}”,请使用 CSV、XLSX、XLS、ODS 或 WPS 表格(.et)",
                         Location(file=str(path)))
    units_path = units_override or _units_near(path, issues)
    base = units_path.parent if units_path else path.parent
    return base, units_path, [DataFile(path, _display(path, base), folder_period(path.parent), True)]


def _work_ahead(awaited: Future, unworked: dict[Future, tuple[DataFile, Period]],
                ahead: Callable[[DataFile, Period, RawTable], object]) -> None:
    """Until `awaited` is parsed, `ahead` of each file (with its run) the reading threads have
    parsed, given its table (none when it has none or failed: its error is raised in the plan's
    order)."""
    while unworked:
        done, _ = wait([awaited, *unworked], return_when=FIRST_COMPLETED)
        for future in done:
            found = unworked.pop(future, None)
            if found is not None and future.exception() is None and future.result()[0] is not None:
                ahead(*found, future.result()[0])
        if awaited.done():
            return


def _read_tables(plan: list[DataFile], run: Period, names: Names, files: _Files, issues: IssueLog, progress: bool,
                 early: Callable[[], UnitIndex | None],
                 later: list[tuple[DataFile, Period]]) -> list[tuple[DataFile, RawTable, str]]:
    """Each file's table and kind; metric files of periods other than the run's are dropped."""
    tables: list[tuple[DataFile, RawTable, str]] = []
    for data_file, table in track(files.tables(plan, run, issues, early, later), "读取数据文件", total=len(plan),
                                  enabled=progress):
        if table is None:
            continue
        kind = _kind(table, names)
        if kind is None:
            issues.add("warning", "无法判断文件内容(不是指标数据也不是发布记录),已跳过", file=table.file)
        elif kind == "records" or data_file.metrics:
            tables.append((data_file, table, kind))
    return tables


def units_file_in(folder: str | Path) -> Path | None:
    """The units file at the top of an input folder (units.csv before units.xlsx), if any."""
    folder = Path(folder)
    return _units_file(folder, IssueLog()) if folder.is_dir() else None


def read_units_file(path: str | Path, scheme: Scheme | None = None) -> tuple[pd.DataFrame, tuple[DataIssue, ...]]:
    """The units file on its own (`score extract --units`): unit_id, name, class, aliases."""
    path = Path(path)
    if not path.is_file():
        raise InputError("找不到单位名单文件", Location(file=str(path)))
    issues = IssueLog()
    units = _read_units_file(path, str(path), Names.build(scheme), issues)
    return units, tuple(issues.items)


def _read_units_file(path: Path, file: str, names: Names, issues: IssueLog) -> pd.DataFrame:
    table = read_table(path, file, lambda cells: _is_units_header(cells, names), issues)
    if table is None:
        raise InputError("单位名单为空或缺少表头(需要“单位编码”“单位名称”“类别”等列)", Location(file=file))
    return read_units(table, names, issues)


# ---- which files ------------------------------------------------------------------------------


def _data_files(folder: Path) -> list[Path]:
    """Data files of a folder: not hidden or Excel lock files, not the 复核调整 file (scoring/appeals.py)."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith((".", "~$")) and not is_adjustments_file(p))


def _is_units_name(path: Path) -> bool:
    return path.stem.casefold() in UNITS_STEMS and path.suffix.lower() in SUFFIXES


def _units_file(folder: Path, issues: IssueLog) -> Path | None:
    found = [p for p in _data_files(folder) if _is_units_name(p)]
    found.sort(key=lambda p: p.suffix.lower() != ".csv")  # a CSV wins over an XLSX
    if len(found) > 1:
        issues.add("warning", f"同时存在 {'、'.join(p.name for p in found)},使用 {found[0].name}", file=found[0].name)
    return found[0] if found else None


def _units_near(path: Path, issues: IssueLog) -> Path | None:
    for folder in [path.parent, *list(path.parent.parents)[:PARENT_LEVELS]]:
        found = _units_file(folder, issues)
        if found is not None:
            return found
    return None


def _folder_files(root: Path, run: Period, issues: IssueLog, exclude: Path | None) -> list[DataFile]:
    files = [DataFile(p, printable(p.name), None, True) for p in _readable(root, "", issues) if p != exclude]
    for folder, reason in unread_folders(root):
        issues.add("warning", reason, file=printable(folder.name))
    for found in period_folders(root):
        folder, folder_period = found.path, found.period
        if not _overlaps(folder_period, run):
            continue
        exact = folder_period == run
        shown = printable(folder.name)
        for p in _readable(folder, f"{shown}/", issues):
            display = f"{shown}/{printable(p.name)}"
            sheets = form_sheets(p) if exact else None
            if sheets is None:
                files.append(DataFile(p, display, folder_period, exact))
            else:  # a form: each unit's sheet is a table of its own
                files += [DataFile(p, display if len(sheets) == 1 else f"{display}[{sheet}]", folder_period, exact,
                                   sheet, form=True) for sheet in sheets]
    return files


def _readable(folder: Path, shown: str, issues: IssueLog) -> list[Path]:
    """The data files of a folder: spreadsheets and CSV files, without the results this tool wrote."""
    files = [p for p in _data_files(folder) if p.suffix.lower() in SUFFIXES]
    own = _own_outputs(files)
    for path in own:
        issues.add("info", "这是本工具生成的考评结果,不作为数据读取", file=f"{shown}{printable(path.name)}")
    return [p for p in files if p not in own]


def _own_outputs(files: list[Path]) -> set[Path]:
    """Results workbooks this tool wrote (the document's author says so) and the CSV of the same
    name written beside each: a run writing into its input folder must not read them back."""
    own = set()
    for path in files:
        if path.suffix.lower() == ".xlsx" and _written_by_us(path):
            own |= {path, *(p for p in files if p.stem == path.stem and p.suffix.lower() == ".csv")}
    return own


def _written_by_us(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml") if "docProps/core.xml" in archive.namelist() else b""
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # the reader says what is wrong with it
    return f"<dc:creator>{PRODUCER} ".encode() in core


def _overlaps(a: Period, b: Period) -> bool:
    return a.start <= b.end and b.start <= a.end


def _display(path: Path, base: Path) -> str:
    try:
        return printable(path.relative_to(base).as_posix())
    except ValueError:
        return printable(path.name)


def _file_problems(issues: IssueLog, shown: int = 5) -> str:
    """Why the files that were there gave nothing (empty, no header, bad rows), for the stop message."""
    found = [f"{i.file}{f' 第{i.row}行' if i.row else ''}:{i.message}" for i in issues.items
             if i.file and i.severity in ("error", "warning")]
    if not found:
        return ""
    more = f";另有 {len(found) - shown} 条" if len(found) > shown else ""
    return f"读取时发现:{';'.join(found[:shown])}{more}。"


def _looked_in(path: Path, run: Period) -> str:
    if not path.is_dir():
        return ""
    found = find_period_folders(path, run)
    if found:
        return f"(查找的文件夹:{'、'.join(str(f) for f in found)},其中没有可读的数据文件)"
    return f"(查找的文件夹:{path / run.label},不存在)"


def _found_periods(path: Path) -> str:
    if not path.is_dir():
        return "请检查文件中的“期间”列或 --period。"
    labels = sorted({f.period.label for f in period_folders(path)})
    if labels:
        return f"输入文件夹中的期间文件夹:{'、'.join(labels)}。"
    return "输入文件夹中没有期间文件夹(如 2021Q4/),顶层文件也没有该期间的数据。"


# ---- what a file holds --------------------------------------------------------------------------


def _recognised(cells: list[str], names: Names) -> tuple[int, bool]:
    """How many cells name a known column or metric, and whether one names the unit column."""
    roles = [names.role(c) if c else None for c in cells]
    count = sum(1 for c, r in zip(cells, roles) if r is not None or (c and names.metric(c) is not None))
    return count, any(r in ("unit_id", "name") for r in roles)


def _is_header(cells: list[str], names: Names) -> bool:
    count, has_unit = _recognised(cells, names)
    return has_unit and count >= 2


def _is_units_header(cells: list[str], names: Names) -> bool:
    return _recognised(cells, names)[1]


def _kind(table: RawTable, names: Names) -> str | None:
    roles = names.positions(table.header)
    kind = _kind_of(roles)
    if kind is None and unit_position(roles) is not None and any(
            h and names.role(h) is None and names.metric(h) for h in table.header):
        return "wide"
    return kind


def _kind_of(roles: dict[str, int]) -> str | None:
    """"long" or "records" from the column roles a header names; None otherwise."""
    if unit_position(roles) is None:
        return None
    if "metric" in roles and "value" in roles:
        return "long"
    if "date" in roles and ("category" in roles or "title" in roles):
        return "records"
    return None


# ---- units without a units file ----------------------------------------------------------------


def _derived_units(tables: list[tuple[DataFile, RawTable, str]], names: Names, issues: IssueLog) -> pd.DataFrame:
    texts = [t.column(unit_position(names.positions(t.header))) for _, t, _ in tables]  # type: ignore[arg-type]
    units = derive_units(pd.concat(texts, ignore_index=True) if texts else pd.Series([], dtype=object))
    issues.add("info", f"没有找到单位名单(units.csv 或 units.xlsx),按数据中出现的 {len(units)} 个单位名称建立名单,"
               "这些单位没有类别")
    return units


# ---- metric values ----------------------------------------------------------------------------


def _values(data_file: DataFile, table: RawTable, kind: str, run: Period, names: Names, index: UnitIndex,
            issues: IssueLog) -> pd.DataFrame:
    read = long_cells if kind == "long" else wide_cells
    cells = read(reconcile_codes(table, names, index, issues), names, data_file.folder_period, issues)
    undated = (cells["period"] == "").to_numpy()
    if undated.any():
        rows = len(set(cells.loc[undated, "row"]))
        issues.add("info", f"{rows} 行未注明期间(文件不在期间文件夹中,也没有填写“期间”列),按本次考评期间 "
                   f"{run.label} 读取", file=table.file)
    cells = cells[undated | (cells["period"] == run.label).to_numpy()].reset_index(drop=True)
    positions = index.positions(cells["unit_text"])
    listed = positions >= 0
    unit_column = table.header[unit_position(names.positions(table.header))]  # type: ignore[index]
    firsts = cells[~cells["row"].duplicated().to_numpy()]  # a row names one unit: its first cell stands for the row
    index.report_unknown(firsts["unit_text"], ~listed[firsts.index], firsts["row"].to_numpy(), table.file,
                         unit_column, "error", "该单位的数据", issues)
    # unit ids as codes over the listed ids: made text once per id, not once per cell (`_typed`)
    cells = cells.assign(unit_id=pd.Categorical.from_codes(positions, categories=index.ids, validate=False))
    if not listed.all():
        cells = cells[listed].reset_index(drop=True)
    _report_aliases(firsts["unit_text"], positions[firsts.index], firsts["row"].to_numpy(), index, table.file, unit_column,
                    issues)
    metric = cells["metric"]
    is_count = pd.Series(map_distinct(metric, names.is_count, bool), index=cells.index)
    is_fraction = pd.Series(map_distinct(metric, names.is_fraction, bool), index=cells.index)
    parsed = parse_values(cells["raw"], is_count, is_fraction)
    parsed = convert_units(cells, parsed, names, index.names_by_id, issues)
    usable = parsed["problem"].to_numpy(object) == ""  # numpy's comparison: pandas' is several times slower
    _report_problems(cells, parsed, ~usable, index, names, issues)
    _report_approximations(cells, parsed, usable, index, names, issues)
    return _typed(pd.DataFrame({  # typed per file, as each is read, not after every file is read
        "unit_id": cells["unit_id"], "metric": metric, "value": parsed["value"], "raw": cells["raw"],
        "approx": parsed["approx"] | cells["approx_mark"].astype(bool), "applicable": parsed["applicable"],
        "source": cells["source"], "row": cells["row"], "column": cells["column"], "evidence": cells["evidence"],
        "usable": usable,
        "filled": map_distinct(cells["raw"], lambda text: normalize_text(text) != "", bool),
    }, copy=False))


def _report_aliases(texts: pd.Series, positions: np.ndarray, rows: np.ndarray, index: UnitIndex, file: str,
                    column: str, issues: IssueLog) -> None:
    """A note for each unit written other than by its id or name (an alias, a stray space): the
    first row of each such text (`positions` in `index.ids`, -1 unknown: a note elsewhere)."""
    written = texts.to_numpy(object)
    first = (positions >= 0) & ~pd.Index(written, dtype=object).duplicated()  # arrays: no frame per call
    ids = index.ids_at(positions[first])
    unit_names = index.names_by_id
    canonical = np.array([unit_names[unit_id] for unit_id in ids], dtype=object)
    written = written[first]
    other = (written != canonical) & (written != ids)
    for text, unit_id, row in zip(written[other], ids[other], rows[first][other]):
        issues.add("info", f"单位写作“{text}”,已按单位名单匹配为“{unit_names[unit_id]}”", file=file, row=int(row),
                   column=column, unit=unit_names[unit_id])


def _report_approximations(cells: pd.DataFrame, parsed: pd.DataFrame, usable: np.ndarray, index: UnitIndex,
                           names: Names, issues: IssueLog) -> None:
    """A note for each approximate value ("600余"): used as the number, flagged in the workbook."""
    approx = parsed["approx"].to_numpy() & usable
    if not approx.any():
        return
    unit_names = index.names_by_id
    rows = cells[approx]
    issues.add_rows(
        (DataIssue("info", f"{unit_names[u]} 的“{names.display_name(m)}”写作约数“{raw}”,按 {v:g} 计算并标记为约数",
                   s, int(r), c, unit_names[u], m)
         for u, m, raw, v, s, r, c in zip(rows["unit_id"], rows["metric"], rows["raw"], parsed["value"][approx],
                                          rows["source"], rows["row"], rows["column"])),
        "约数",
    )


def _report_problems(cells: pd.DataFrame, parsed: pd.DataFrame, bad: np.ndarray, index: UnitIndex, names: Names,
                     issues: IssueLog) -> None:
    if not bad.any():
        return
    unit_names = index.names_by_id
    rows = cells[bad]
    issues.add_rows(
        (DataIssue("error", f"{unit_names[u]} 的“{names.display_name(m)}”:{p},该值未使用", s, int(r), c,
                   unit_names[u], m)
         for u, m, p, s, r, c in zip(rows["unit_id"], rows["metric"], parsed["problem"][bad], rows["source"],
                                     rows["row"], rows["column"])),
        "数值无法使用",
    )


def _resolve_duplicates(parts: list[pd.DataFrame], index: UnitIndex, names: Names, issues: IssueLog) -> pd.DataFrame:
    """One row per (unit, metric): the last value read, reporting conflicting values.

    An unusable cell (reported already) or an empty cell never hides a value read elsewhere.
    """
    if not parts:
        return _empty_values()
    values = pd.concat(parts, ignore_index=True)
    values["order"] = np.arange(len(values))
    units, unit_ids = pd.factorize(values["unit_id"], use_na_sentinel=False)
    metrics, metric_ids = pd.factorize(values["metric"], use_na_sentinel=False)
    pair = units.astype(np.int64) * len(metric_ids) + metrics
    if len(unit_ids) * len(metric_ids) <= 8 * len(values) + 1024:  # a table of units × metrics: counted, not hashed
        repeated = np.bincount(pair)[pair] > 1
    else:
        repeated = pd.Series(pair).duplicated(keep=False).to_numpy()
    if not repeated.any():  # each value read once (the usual single metrics file): nothing to resolve
        return _typed(values[VALUE_COLUMNS])
    single, values = values[~repeated], values[repeated]
    values = values.sort_values(["unit_id", "metric", "usable", "filled", "order"], kind="stable")
    used = values.groupby(["unit_id", "metric"], sort=False).tail(1)
    usable = values[values["usable"] & values["filled"]]
    shown = usable["value"].map(repr).where(usable["applicable"], "不适用")
    distinct = shown.groupby([usable["unit_id"], usable["metric"]], sort=False).nunique()
    unit_names = index.names_by_id
    for unit_id, metric in distinct[distinct > 1].index:
        group = usable[(usable["unit_id"] == unit_id) & (usable["metric"] == metric)]
        last = group.iloc[-1]
        listed = ";".join(f"{s} 第{r}行为“{raw}”" for s, r, raw in zip(group["source"], group["row"], group["raw"]))
        issues.add("warning", f"{unit_names[unit_id]} 的“{names.display_name(metric)}”有不同的值:{listed}。"
                   f"采用最后读入的“{last['raw']}”({last['source']} 第{last['row']}行)",
                   file=last["source"], row=int(last["row"]), column=last["column"], unit=unit_names[unit_id],
                   metric=metric)
    used = pd.concat([single, used]).sort_values("order")
    return _typed(used[VALUE_COLUMNS].reset_index(drop=True))


def _typed(values: pd.DataFrame) -> pd.DataFrame:
    """The value columns in their types (other columns kept): numbers, flags and Arrow text."""
    typed = values.astype({"value": float, "approx": bool, "applicable": bool, "row": "int64"})
    return typed.assign(**{column: _text(typed[column])
                           for column in ("unit_id", "metric", "raw", "source", "column", "evidence")})


def _text(column: pd.Series) -> pd.Series:
    """`column.astype(str)`. A Categorical of texts (a wide file's metrics, headers, file name)
    has its few distinct texts converted and taken by code, where pandas converts every cell
    (a tenth of a second per column for a province's 310,000 values)."""
    if (isinstance(column.dtype, pd.CategoricalDtype) and (column.cat.codes.to_numpy() >= 0).all()
            and pd.api.types.infer_dtype(column.cat.categories, skipna=False) == "string"):
        texts = pd.array(column.cat.categories.to_numpy(object), dtype=str)
        return pd.Series(texts.take(column.cat.codes.to_numpy()), index=column.index)
    return column.astype(str)


def _empty_values() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: pd.Series([], dtype=object) for c in VALUE_COLUMNS}))


# ---- records ----------------------------------------------------------------------------------


def _merge_records(parts: list[pd.DataFrame], issues: IssueLog,
                   with_titles: Callable[[int], pd.DataFrame]) -> pd.DataFrame:
    """All records; the same record found in two files (2021/ and 2021Q4/) is kept once.

    Only files whose days overlap can share a record (monthly files never do); of those, only
    records whose unit, date and category also appear in another file can be repeats; those
    files are read with their titles (`with_titles(i)` for part i) and compared in full.
    """
    if not parts:
        return empty_records()
    overlapping = _overlapping_files(parts)
    if not overlapping:
        return _joined(parts)
    records, files = _joined(parts), _file_numbers(parts)
    shared = _in_several_files(records, files, overlapping)
    if shared.any():
        titled = set(np.unique(files[shared]).tolist())
        parts = [with_titles(i) if i in titled else part for i, part in enumerate(parts)]
        records = _joined(parts)
        candidates = _in_several_files(records, files, overlapping)
        key = ["unit_id", "date", "category", "title"]
        rows = records[candidates].assign(_file=files[candidates])
        first_file = rows.groupby(key, sort=False, dropna=False, observed=True)["_file"].transform("min")
        repeated = (rows["_file"] != first_file).to_numpy()
        if repeated.any():
            issues.add("info", f"{int(repeated.sum())} 条发布记录在多个文件中重复出现,只计一次")
            kept = np.ones(len(records), dtype=bool)
            kept[np.flatnonzero(candidates)[repeated]] = False
            records = records[kept].reset_index(drop=True)
    return records


def _joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts one below the other, as one frame made once (no per-file copies)."""
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    return pd.DataFrame({column: _joined_column([part[column] for part in parts]) for column in parts[0].columns},
                        copy=False)  # the joined columns are new already: a copy would be a second pass over each


def _joined_column(columns: list[pd.Series]) -> pd.Series:
    """One column of the parts. Categoricals (units, dates, categories) stay codes: each file's
    codes are moved onto the union of the files' categories and joined once, where pd.concat
    would turn codes over different categories back into values (five million texts or dates)."""
    if not all(isinstance(column.dtype, pd.CategoricalDtype) for column in columns):
        return pd.concat(columns, ignore_index=True)
    first = columns[0].cat.categories
    same = all(column.cat.categories.equals(first) for column in columns[1:])  # units, categories: one list for all files
    union = first if same else first.append([column.cat.categories for column in columns[1:]]).unique()
    codes, at = np.empty(sum(len(column) for column in columns), dtype=code_type(len(union))), 0
    for column in columns:  # each file's codes written once, straight into the joined column
        part = column.cat.codes.to_numpy()
        if same:
            codes[at:at + len(part)] = part
        else:  # code -1 (none) stays -1: the last of the lookup
            np.take(np.append(union.get_indexer(column.cat.categories), -1).astype(codes.dtype), part,
                    out=codes[at:at + len(part)], mode="wrap")  # "raise" would buffer `out`: ten times slower
        at += len(part)
    return pd.Series(pd.Categorical.from_codes(codes, categories=union, validate=False), copy=False)


def _file_numbers(parts: list[pd.DataFrame]) -> np.ndarray:
    """For each joined record, the number of the part (file) it came from."""
    return np.repeat(np.arange(len(parts), dtype=np.int16), [len(part) for part in parts])


def _overlapping_files(parts: list[pd.DataFrame]) -> list[tuple[int, int, int, int]]:
    """Pairs of files whose dates overlap, with the days both span: (file, file, first, last)."""
    spans = []
    for i, part in enumerate(parts):
        days = _days_used(part["date"])
        if len(days):
            spans.append((i, int(days.min()), int(days.max())))
    found = []
    for (i, first_i, last_i), (j, first_j, last_j) in combinations(spans, 2):
        first, last = max(first_i, first_j), min(last_i, last_j)
        if first <= last:
            found.append((i, j, first, last))
    return found


def _days_used(dates: pd.Series) -> np.ndarray:
    """The day numbers a records date column holds: of a Categorical, its dates, which the
    reader keeps to those some record has (record_rows), with nothing per record. A date no
    record had would only widen a file's span: more records compared, none missed."""
    if isinstance(dates.dtype, pd.CategoricalDtype):
        return day_numbers(pd.Series(dates.cat.categories))
    days = day_numbers(dates)
    return days[days != NO_DAY]


def _in_several_files(records: pd.DataFrame, files: np.ndarray,
                      overlapping: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Rows whose (unit, day, category) is found in more than one file: integer keys, no text.
    Only days that two files both span (`overlapping`) can hold such rows."""
    day = day_numbers(records["date"]).astype(np.int64)
    maybe = np.zeros(len(day), dtype=bool)
    for i, j, first, last in overlapping:
        maybe |= ((files == i) | (files == j)) & (day >= first) & (day <= last)
    if not maybe.any():
        return maybe
    rows = records[maybe]
    unit = pd.factorize(rows["unit_id"])[0].astype(np.int64)
    category = pd.factorize(rows["category"])[0].astype(np.int64)
    days = day[maybe] - day[maybe].min()
    key = (unit * (int(days.max()) + 1) + days) * (int(category.max()) + 1) + category
    order = np.argsort(key, kind="stable")
    key, in_file = key[order], files[maybe][order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    several = np.minimum.reduceat(in_file, starts) != np.maximum.reduceat(in_file, starts)
    found = np.empty(len(key), dtype=bool)
    found[order] = np.repeat(several, np.diff(np.r_[starts, len(key)]))
    maybe[maybe] = found
    return maybe
