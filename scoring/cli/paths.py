"""Where the bundled criteria, the sample data and the outputs live.

Paths are looked up in the current folder first, then beside the installed package (a clone
installed with `pip install -e .`), so the defaults work from the repository root and elsewhere.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_CRITERIA = Path("criteria") / "gov_openness_2021.yaml"
DEFAULT_INPUT = Path("sample_inputs")
DEFAULT_OUT = Path("outputs")


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def bundled(relative: Path) -> Path:
    """`relative` in the current folder if it exists there, else in the project root."""
    here = Path.cwd() / relative
    return here if here.exists() else project_root() / relative
