"""One display order: Result.ranking() is the order of the ranking sheet, the CSV and the summary."""

from __future__ import annotations

from dataclasses import replace

import openpyxl
import report_fixtures as fx

from scoring.report.exports import ranking_csv_frame, write_outputs


def reordered_result():
    """The fixture with a twist: 西城区 (c2, class rank 1) vetoed with effect "zero" (keeps its
    rank, shown last in its block), and 市卫健委 (d3) moved to no class (its own block, last)."""
    result = fx.make_result()
    totals = result.totals
    totals.loc["c2", ["vetoed", "veto_effect", "veto_reasons"]] = [True, "zero", "测试"]
    totals.loc["d3", ["class", "class_name"]] = ["", ""]
    return replace(result, totals=totals)


# By hand: county block by class rank, c1 (1) before c3 (3), vetoed c2 last; dept block d1 (1),
# d2 (2); the unclassified d3 after every class.
ORDER = ["c1", "c3", "c2", "d1", "d2", "d3"]


def test_ranking_is_blocks_then_class_rank_then_vetoed_last() -> None:
    assert list(reordered_result().ranking().index) == ORDER


def test_without_classes_the_overall_rank_orders() -> None:
    result = fx.make_result()
    flat = replace(result, scheme=result.scheme.model_copy(update={"classes": ()}))
    # overall ranks by hand: d1 1, c1 2, c2 2 (tie keeps the engine's order), d2 4, c3 5; d3 vetoed
    assert list(flat.ranking().index) == ["d1", "c1", "c2", "d2", "c3", "d3"]


def test_csv_and_workbook_list_units_in_that_order(tmp_path) -> None:
    result = reordered_result()
    names = [result.totals.loc[u, "name"] for u in ORDER]
    assert list(ranking_csv_frame(result)["单位"]) == [n if not n.startswith("=") else "'" + n for n in names]
    paths = write_outputs(result, tmp_path / "r.xlsx")
    rows = list(openpyxl.load_workbook(paths.workbook)["排名"].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and "单位" in r)
    shown = [r[rows[header_at].index("单位")] for r in rows[header_at + 1:] if r and r[rows[header_at].index("单位")] in names]
    assert shown == names


def test_summary_names_the_top_units_in_that_order(capsys, tmp_path) -> None:
    from scoring.cli.summary import print_summary
    from scoring.report.exports import OutputPaths

    result = reordered_result()
    paths = [tmp_path / f"r.{suffix}" for suffix in ("xlsx", "csv", "json")]
    print_summary(result, OutputPaths(*paths, renamed=False), None)
    out = capsys.readouterr().out
    # c2's "zero" veto is no fail: it stays in the top three, after the others of its block
    assert "县区政府:3 个单位;前三名:1. 东城区 90,3. =HYPERLINK(\"x\") 75,1. 西城区 90" in out
