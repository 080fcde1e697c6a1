"""motcua.lib.prepared: Django's %s text numbered for PostgreSQL, and run prepared with the same result."""

from __future__ import annotations

import pytest
from django.db import connection

from motcua.lib.prepared import numbered, prepared_cursor
from tests.conftest import need


def test_placeholders_are_numbered_in_order_and_a_doubled_percent_is_one():
    sql = "SELECT %s, name FROM t WHERE code LIKE '10%%' AND a = %s AND b IN (%s, %s)"
    assert numbered(sql) == "SELECT $1, name FROM t WHERE code LIKE '10%' AND a = $2 AND b IN ($3, $4)"
    assert numbered("SELECT 1") == "SELECT 1"


@pytest.mark.parametrize("sql", ["SELECT %d", "SELECT %(name)s", "SELECT 1 %"])
def test_anything_but_s_and_a_doubled_percent_is_refused(sql):
    with pytest.raises(ValueError, match="only %s placeholders"):
        numbered(sql)


@pytest.mark.django_db
def test_the_prepared_cursor_returns_what_the_usual_one_does():
    sql = "SELECT CAST(%s AS INTEGER) + %s, CAST(%s AS TEXT) || '%%'"
    params = [40, 2, "mười"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expected = cursor.fetchone()
    for _ in range(2):  # the second run is from the prepared statement on PostgreSQL
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            assert cursor.fetchone() == expected
    assert tuple(expected) == (42, "mười%")


@pytest.mark.django_db
def test_executemany_takes_the_same_text():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE prepared_probe (n integer, word varchar(10))")
    with prepared_cursor() as cursor:
        cursor.executemany("INSERT INTO prepared_probe (n, word) VALUES (%s, %s)", [(1, "một"), (2, "hai")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, word FROM prepared_probe ORDER BY n")
        assert [tuple(row) for row in cursor.fetchall()] == [(1, "một"), (2, "hai")]


@pytest.mark.django_db
def test_on_postgresql_the_statement_stays_prepared_on_the_connection():
    need(connection.vendor == "postgresql", "Prepared statements are PostgreSQL's (set DATABASE_URL).")
    sql = "SELECT %s::text AS prepared_cursor_probe"
    for word in ("một", "hai"):
        with prepared_cursor() as cursor:
            cursor.execute(sql, [word])
            assert cursor.fetchone() == (word,)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%prepared_cursor_probe%"]
        )
        assert [row[0] for row in cursor.fetchall()] == ["SELECT $1::text AS prepared_cursor_probe"]
