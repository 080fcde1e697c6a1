"""The province drill's traffic (Locust, headless): clerks, citizens and leaders of many wards.

Started by bench/province_drill.py, which sets DRILL_DATA (a JSON file: wards with their staff,
the procedures to receive, dossiers to look up, the password) and DRILL_OUT (where each clerk's
intakes are written when the run stops). Not meant to be run alone.

- **Clerk** (one ward each): signs in, opens the intake form of a procedure, fills it as a browser
  does (every field with its initial value, the papers ticked, a new applicant) and sends it; when
  the answer is lost (connection refused, 502/503/504: a web node was killed) sends the *same* form
  again, up to four times — its one-time token makes the portal give back the dossier it already
  made. Also opens the day's counter list.
- **Citizen**: looks a dossier up from its receipt's QR code, as a page and as JSON.
- **Leader**: opens the board; once, at a moment of its own in the first minute, asks for the
  month's report (which a worker compiles).

Every intake the portal answered with its dossier page is recorded (ward, token, dossier id, the
applicant's mark), so the drill can check none was lost and none was made twice.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from locust import FastHttpUser, HttpUser, between, constant_throughput, events, task

DATA = json.loads(Path(os.environ["DRILL_DATA"]).read_text(encoding="utf-8"))
OUT = Path(os.environ["DRILL_OUT"])
RETRIES = 4


def pace(kind: str, default: Any) -> Any:
    """Each user's pace: DRILL_<KIND>_RATE task cycles a second (the drill sets it from the province's
    real peak and its ``--peak-multiple``), else the default think time."""
    rate = os.environ.get(f"DRILL_{kind}_RATE")
    return constant_throughput(float(rate)) if rate else default


LOST_ANSWER = {0, 502, 503, 504}

_wards = itertools.cycle(DATA["wards"])
_leaders = itertools.cycle(DATA["wards"])
_lock = threading.Lock()
intakes: list[dict[str, Any]] = []
failed_intakes: list[dict[str, Any]] = []
reports: list[dict[str, Any]] = []
# Every answer: (when it came, Unix seconds; kind; milliseconds). The drill computes its
# percentiles from these over the window it reports (bench/province_drill.py, "steady").
samples: list[tuple[float, str, float]] = []


@events.request.add_listener
def keep_sample(request_type: str, name: str, response_time: float, **kwargs: Any) -> None:
    samples.append((time.time(), name, response_time))


class FormFields(HTMLParser):
    """The fields of the first form posting to ``action`` (or the page's only form), with the values
    a browser would send untouched: inputs' values, ticked boxes, each select's chosen option."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.checkboxes: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "checkbox":
                self.checkboxes.append(name)
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind == "radio":
                if "checked" in a or name not in self.fields:
                    self.fields[name] = a.get("value", "")
            elif kind not in {"submit", "button", "file"}:
                self.fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            self.fields.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(html: str) -> FormFields:
    parser = FormFields()
    parser.feed(html)
    return parser


def refusal(html: str) -> str:
    """The first error message the form page shows (Bootstrap's invalid-feedback or an alert)."""
    found = re.search(r'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)</', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip()[:160] if found else ""


def sign_in(user: HttpUser, username: str) -> None:
    page = user.client.get("/dang-nhap/", name="sign-in page")
    token = form_of(page.text).fields.get("csrfmiddlewaretoken", "")
    user.client.post(
        "/dang-nhap/",
        {"csrfmiddlewaretoken": token, "username": username, "password": DATA["password"]},
        name="sign-in",
        allow_redirects=False,
    )


class Clerk(HttpUser):
    weight = int(os.environ.get("DRILL_CLERK_WEIGHT", "6"))
    wait_time = pace("CLERK", between(0.5, 2.0))

    def on_start(self) -> None:
        with _lock:
            self.ward = next(_wards)
        sign_in(self, self.ward["clerk"])

    @task(5)
    def intake(self) -> None:
        code = random.choice(DATA["procedures"])
        page = self.client.get(f"/ho-so/tiep-nhan/{code}/", name="intake form")
        if page.status_code != 200:
            return
        form = form_of(page.text)
        mark = uuid.uuid4().hex[:12]
        data = dict(form.fields)
        papers = [name for name in form.checkboxes if name.startswith("doc_")]
        data.update(dict.fromkeys(papers, "on"))
        if not papers:  # a procedure whose catalogue entry lists no papers: the clerk types them
            data["other_documents"] = "Tờ khai theo mẫu\nGiấy tờ tùy thân (bản sao)"
        data.update(
            action="receive",
            applicant_name=f"Người Thử Diễn Tập {mark}",
            applicant_id_number=f"001{random.randint(0, 1)}{random.randint(60, 99)}{random.randint(0, 999_999):06d}",
            applicant_phone=f"09{random.randint(0, 99_999_999):08d}",
        )
        for attempt in range(RETRIES):
            with self.client.post(
                f"/ho-so/tiep-nhan/{code}/", data, name="intake", allow_redirects=False, catch_response=True
            ) as answer:
                if answer.status_code == 302 and re.search(r"/ho-so/(\d+)/", answer.headers.get("Location", "")):
                    pk = int(re.search(r"/ho-so/(\d+)/", answer.headers["Location"]).group(1))  # type: ignore[union-attr]
                    with _lock:
                        intakes.append(
                            {
                                "ward": self.ward["code"],
                                "token": data.get("token"),
                                "mark": mark,
                                "pk": pk,
                                "tries": attempt + 1,
                            }
                        )
                    answer.success()
                    return
                if answer.status_code in LOST_ANSWER and attempt + 1 < RETRIES:
                    answer.failure(f"answer lost ({answer.status_code}), sending the same form again")
                    continue
                reason = refusal(answer.text or "")
                answer.failure(f"intake refused: {answer.status_code} {reason}")
                with _lock:
                    failed_intakes.append(
                        {"ward": self.ward["code"], "mark": mark, "status": answer.status_code, "reason": reason}
                    )
                return

    @task(2)
    def counter_list(self) -> None:
        self.client.get("/ho-so/quay/", name="counter list")


class Citizen(FastHttpUser):
    weight = int(os.environ.get("DRILL_CITIZEN_WEIGHT", "8"))
    wait_time = pace("CITIZEN", between(0.5, 2.0))

    @task(2)
    def lookup_page(self) -> None:
        dossier = random.choice(DATA["lookups"])
        self.client.get(f"/tra-cuu/{dossier['code']}/?k={dossier['key']}", name="lookup page")

    @task(1)
    def lookup_json(self) -> None:
        dossier = random.choice(DATA["lookups"])
        self.client.get(f"/api/v1/tra-cuu/{dossier['code']}/?k={dossier['key']}", name="lookup json")


class Leader(HttpUser):
    weight = int(os.environ.get("DRILL_LEADER_WEIGHT", "1"))
    wait_time = pace("LEADER", between(2.0, 5.0))

    def on_start(self) -> None:
        with _lock:
            self.ward = next(_leaders)
        sign_in(self, self.ward["leader"])
        self.asked = False
        # Each leader asks for the month's report once, at a moment of its own in the run's first
        # minute (a report compiles for seconds on a worker: not all at the same instant).
        self.report_at = time.time() + random.uniform(15, 60)

    @task
    def board(self) -> None:
        self.client.get("/ho-so/lanh-dao/", name="leader board")
        if not self.asked and time.time() >= self.report_at:
            self.report()

    def report(self) -> None:
        page = self.client.get("/bao-cao/lap-moi/", name="report form")
        token = form_of(page.text).fields.get("csrfmiddlewaretoken", "")
        period = DATA["report_period"]
        for _ in range(RETRIES):
            answer = self.client.post(
                "/bao-cao/lap-moi/",
                {"csrfmiddlewaretoken": token, **period},
                name="report compile",
                allow_redirects=False,
            )
            if answer.status_code == 302:
                with _lock:
                    reports.append({"ward": self.ward["code"], "location": answer.headers.get("Location", "")})
                self.asked = True
                return
            if answer.status_code not in LOST_ANSWER:
                return


@events.test_stop.add_listener
def write_outcome(**kwargs: Any) -> None:
    with _lock:
        OUT.write_text(
            json.dumps({"intakes": intakes, "failed_intakes": failed_intakes, "reports": reports, "samples": samples}),
            encoding="utf-8",
        )
