"""The benchmark sizes (and their --quick stand-ins). No heavy imports: the parent
process stays small, so it does not inflate the peak memory its children report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    units: int
    records: int
    generated_scheme: bool  # False: the bundled criteria/gov_openness_2021.yaml
    workbook: bool  # stages write the workbook and the plain XlsxWriter baseline in turn
    cli: bool  # also run end to end through the `score` command
    compare: bool  # give the previous quarter's metrics, so the run compares with it


SCALES = {
    "city": Scale("city", 80, 200_000, False, True, True, True),
    "province": Scale("province", 5_000, 5_000_000, True, True, True, True),
    # a busy platform's year: the province's units and criteria, ten times its records
    "province50m": Scale("province50m", 5_000, 50_000_000, True, False, True, True),
    "nation": Scale("nation", 100_000, 0, True, False, False, False),
}
QUICK = {
    "city": Scale("city", 12, 3_000, False, True, True, True),
    "province": Scale("province", 40, 8_000, True, True, True, True),
    "province50m": Scale("province50m", 40, 20_000, True, False, True, True),
    "nation": Scale("nation", 300, 0, True, False, False, False),
}
