"""The one-pass shared-string table is XlsxWriter's, byte for byte."""

from __future__ import annotations

import io
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.sharedstrings import SharedStrings, SharedStringTable
from xlsxwriter.utility import _preserve_whitespace

from scoring.report.sharedstrings import OnePassSharedStrings


class _Kept(io.StringIO):
    def close(self) -> None:  # the writer closes its file; keep the text readable
        pass


def _xml(cls: type[SharedStrings], strings: list[str]) -> str:
    table = SharedStringTable()
    for text in strings:
        table._get_shared_string_index(text)
    table._sort_string_data()
    sst = cls()
    sst.string_table = table
    out = _Kept()
    sst._set_filehandle(out)
    sst._assemble_xml_file()
    return out.getvalue()


OFFICE_TEXTS = ["市公安局", " 前导空格", "末尾空格 ", "\u3000全角空格开头", "两行\n文字", "A&B <备注> 扣5分",
                "第三方评估6.14、年报雷同扣5", "tab\t", "\xa0", "100%", "“引号”和\"双引号\""]


def test_office_texts_take_the_one_pass_and_give_xlsxwriters_file(monkeypatch):
    expected = _xml(SharedStrings, OFFICE_TEXTS)
    monkeypatch.setattr(SharedStrings, "_write_si", lambda self, text: pytest.fail("took the slow path"))
    assert _xml(OnePassSharedStrings, OFFICE_TEXTS) == expected
    assert '<si><t xml:space="preserve">\u3000全角空格开头</t></si>' in expected  # the cases are really there
    assert "<si><t>A&amp;B &lt;备注&gt; 扣5分</t></si>" in expected


@pytest.mark.parametrize("odd", ["控制\x01字符", "_x0041_ 形如转义", "<r>富文本</r>", "含\x00零字符", "\ufffe", "\uffff"])
def test_texts_xlsxwriter_treats_specially_give_its_file(odd):
    strings = [*OFFICE_TEXTS, odd]
    assert _xml(OnePassSharedStrings, strings) == _xml(SharedStrings, strings)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), max_size=30, unique=True))
def test_any_texts_give_xlsxwriters_file(strings):
    assert _xml(OnePassSharedStrings, strings) == _xml(SharedStrings, strings)


def test_xlsxwriters_whitespace_test_is_isspace_of_the_first_or_last_character():
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        c = chr(code)
        assert bool(_preserve_whitespace(c + "a")) == c.isspace() == bool(_preserve_whitespace("a" + c)), hex(code)
