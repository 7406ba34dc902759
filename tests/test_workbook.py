"""workbook.write: the one XLSX writer of the task, roster and assessment exports and the dashboard."""
import pytest


def test_sheets_types_empty_rows_and_names_read_back(tmp_path):
    import openpyxl

    from linxia_tianguan_plugin import workbook

    path = tmp_path / "out.xlsx"
    workbook.write(path, [
        workbook.Sheet("巡田任务", ["网格编码", "级别", "覆盖率", "备注"],
                       [["62292110000101", 5, 0.5, ""], ["62292110000102", 5, 1, None]], {"网格编码": workbook.TEXT}),
        workbook.Sheet("a/b:c*d?[e]", ["x"], [], empty="（无）"),
        workbook.Sheet("a/b:c*d?[e]", ["x"], [[1]]),
    ])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["巡田任务", "a b c d  e", "a b c d  e_2"]
    rows = list(book["巡田任务"].iter_rows(values_only=True))
    assert rows[0] == ("网格编码", "级别", "覆盖率", "备注")
    assert rows[1] == ("62292110000101", 5, 0.5, None) and rows[2] == ("62292110000102", 5, 1.0, None)
    assert list(book["a b c d  e"].iter_rows(values_only=True)) == [("x",), ("（无）",)]
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left


def test_a_cancelled_write_leaves_the_old_workbook_and_no_temporary_file(tmp_path):
    from linxia_tianguan_plugin import workbook

    path = tmp_path / "out.xlsx"
    path.write_bytes(b"the previous export")
    with pytest.raises(workbook.WorkbookCancelledError):
        workbook.write(path, [workbook.Sheet("s", ["a"], [[i] for i in range(10)])], cancelled=lambda: True)
    assert path.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
