"""Rendering a Result for readers: the leadership workbook, a CSV of the ranking, a JSON file.

    from scoring.report.exports import write_outputs
    paths = write_outputs(result, Path("outputs/2021Q4.xlsx"), previous=last_result)

Every number shown comes from the Result; nothing here computes a score.
"""
