"""Every answer carries a request id; log lines of the request (plain or JSON) carry the same id."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.conf import settings
from django.utils.module_loading import import_string
from pythonjsonlogger.json import JsonFormatter

from motcua import requestid

pytestmark = pytest.mark.django_db


def test_an_answer_gets_a_new_id_when_the_request_brings_none(client):
    first = client.get("/tra-cuu/")["X-Request-ID"]
    second = client.get("/tra-cuu/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_id_set_by_nginx_is_kept(client):
    assert client.get("/tra-cuu/", HTTP_X_REQUEST_ID="7f3c2a9be0d14c55")["X-Request-ID"] == "7f3c2a9be0d14c55"


@pytest.mark.parametrize("sent", ["short", "a" * 65, "abc def 1234", 'x"}\n{"level": "CRITICAL"', "ả" * 10])
def test_an_id_that_could_break_a_log_line_is_replaced(client, sent):
    answered = client.get("/tra-cuu/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert answered != sent
    assert re.fullmatch(r"[0-9a-f]{32}", answered)


def _record(message: str) -> logging.LogRecord:
    record = logging.LogRecord("hoso.workflow", logging.INFO, __file__, 1, message, None, None)
    requestid.RequestIdFilter().filter(record)
    return record


def test_json_lines_carry_the_id_and_plain_lines_show_it():
    config = settings.LOGGING["formatters"]
    json_config = {key: value for key, value in config["json"].items() if key != "()"}
    formatter = import_string(config["json"]["()"])(**json_config)
    assert isinstance(formatter, JsonFormatter)
    token = requestid.current.set("0123456789abcdef")
    try:
        line = json.loads(formatter.format(_record('Hồ sơ "000.00.01.H01" đã tiếp nhận')))
        plain = logging.Formatter(config["plain"]["format"]).format(_record("tiếp nhận"))
    finally:
        requestid.current.reset(token)
    assert line["request_id"] == "0123456789abcdef"
    assert line["message"] == 'Hồ sơ "000.00.01.H01" đã tiếp nhận'
    assert line["level"] == "INFO" and line["logger"] == "hoso.workflow" and "time" in line
    assert "[0123456789abcdef]" in plain
    # Outside a request or task the id is "-".
    assert json.loads(formatter.format(_record("x")))["request_id"] == "-"
