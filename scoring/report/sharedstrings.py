"""The workbook's shared-string table (xl/sharedStrings.xml) written in one pass.

XlsxWriter writes each distinct text on its own, with three regular expressions per text; a
province's workbook holds about 17,000 of them. The texts a scoring run writes almost never
hold what those expressions look for (control characters, Excel's own `_xHHHH_` escapes, rich
text), so the whole table is checked once and, when none is there, escaped and tagged in one
pass. Otherwise XlsxWriter writes it as usual. Either way the file is the same, byte for byte
(tests/test_sharedstrings.py).
"""

from __future__ import annotations

import re

from xlsxwriter.sharedstrings import SharedStrings

SEPARATOR = "\x00"  # a control character: where the check passed, no text holds it
# what XlsxWriter's _write_si changes besides escaping &, < and >: control characters other than
# tab and line feed (the separator aside), Excel's _xHHHH_ escapes, two non-characters
_NEEDS_XLSXWRITER = re.compile("_x[0-9a-fA-F]{4}_|[\x01-\x08\x0b-\x1f\ufffe\uffff]")
_RICH = "<r>"  # a rich string starts so; written as it is


class OnePassSharedStrings(SharedStrings):
    def _write_sst_strings(self) -> None:
        strings = self.string_table.string_array
        joined = SEPARATOR.join(strings)
        if (_NEEDS_XLSXWRITER.search(joined) or joined.count(SEPARATOR) != len(strings) - 1
                or _RICH in joined):
            super()._write_sst_strings()
            return
        escaped = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split(SEPARATOR)
        # XlsxWriter's test for leading or trailing whitespace (`^\s|\s$`) is str.isspace of the
        # first or last character (checked over every code point in the tests)
        self.fh.write("".join([
            f'<si><t xml:space="preserve">{text}</t></si>' if original[:1].isspace() or original[-1:].isspace()
            else f"<si><t>{text}</t></si>"
            for text, original in zip(escaped, strings)
        ]))
