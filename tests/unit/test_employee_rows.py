"""Employee CSV rows are checked on their own and against each other before anything is written."""

from __future__ import annotations

import pytest

from shared.domain.employee_rows import parse_employee_csv

HEADER = "code,full_name,email,phone,department,manager_code,role,device_user_id,locale,timezone,shift\n"
LOCALES = ("en", "ru", "ar")


def parse(body: str, header: str = HEADER):
    return parse_employee_csv(header + body, locales=LOCALES)


def test_a_good_file_has_no_problems():
    parsed = parse(
        "A1,Ann Lee,ann@example.com,+49 30 1234,Ops,,manager,7,en,Europe/Berlin,Day\nA2,Bob,,,Ops,A1,,8,,,\n"
    )
    assert parsed.problems == []
    assert [r.code for r in parsed.rows] == ["A1", "A2"]
    assert parsed.rows[1].role.value == "employee"


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        (",No Code,,,,,,,,,", "column {column} is empty"),
        ("A1,,,,,,,,,,", "column {column} is empty"),
        ("A 1,Space,,,,,,,,,", "may only use letters"),
        ("A1,Ann,not-an-email,,,,,,,,", "is not an e-mail address"),
        ("A1,Ann,,phone?,,,,,,,", "is not a phone number"),
        ("A1,Ann,,,,,boss,,,,", "role {value!r} is unknown"),
        ("A1,Ann,,,,,,,de,,", "locale {value!r} is not supported"),
        ("A1,Ann,,,,,,,,Mars/Base,", "is not an IANA time zone"),
        ("A1,Ann,,,,A1,,,,,", "their own manager"),
        ("A1,Ann,,,,,,,,,,extra", "more cells than the header"),
    ],
    ids=[
        "missing code",
        "missing name",
        "code with a space",
        "bad email",
        "bad phone",
        "unknown role",
        "untranslated locale",
        "unknown timezone",
        "own manager",
        "extra cell",
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_reason(row, fragment):
    parsed = parse("A0,Fine,,,,,,,,,\n" + row + "\n")
    assert parsed.bad_lines == {3}
    assert any(fragment in p.message for p in parsed.problems)


def test_duplicate_codes_name_the_first_line():
    parsed = parse("A1,Ann,,,,,,,,,\na1,Again,,,,,,,,,\n")
    (problem,) = parsed.problems
    assert problem.line == 3 and problem.params["other"] == "2"


def test_duplicate_device_user_ids_are_reported():
    parsed = parse("A1,Ann,,,,,,5,,,\nA2,Bob,,,,,,5,,,\n")
    assert [p.line for p in parsed.problems] == [3]


def test_a_header_with_an_unknown_column_is_refused_as_a_whole():
    parsed = parse_employee_csv("code,full_name,salary\nA1,Ann,100\n", locales=LOCALES)
    assert parsed.header_problem is not None
    assert parsed.header_problem.params["unknown"] == "salary"


def test_optional_columns_may_be_left_out_of_the_header():
    parsed = parse_employee_csv("code,full_name\nA1,Ann\n", locales=LOCALES)
    assert parsed.problems == [] and parsed.rows[0].email is None


def test_blank_lines_and_a_byte_order_mark_are_ignored():
    parsed = parse_employee_csv("\ufeffcode,full_name\nA1,Ann\n,\n\nA2,Bob\n", locales=LOCALES)
    assert [r.code for r in parsed.rows] == ["A1", "A2"]
