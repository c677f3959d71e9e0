"""The dashboard's API through the gateway, learnt from real events: who may read it, the figures of a
period, the five-resident rule, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import httpx

from deploy.processes import LocalSystem
from tests.e2e.dashboard import BUYERS, PRICE_FEN, Lively


async def test_leaders_and_managers_read_the_figures_residents_and_outsiders_do_not(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    w = await Lively.build(gateway, system)
    found = (await w.insights(w.leader)).json()
    assert (found["bucket"], found["min_residents"]) == ("day", 5)
    assert (date.fromisoformat(found["last_day"]) - date.fromisoformat(found["first_day"])).days == 29
    [today] = [p for p in found["series"]["orders"] if p["orders"]]
    assert (today["orders"], today["turnover_fen"], today["suppressed"]) == (BUYERS, BUYERS * PRICE_FEN, False)
    # two residents signed up for the event: withheld on the chart and in its row
    [signed] = [p for p in found["series"]["attendance"] if p["suppressed"]]
    assert (signed["start"], signed["registrations"]) == (today["start"], None)
    [event] = found["upcoming_events"]
    assert (event["title"], event["residents"], event["suppressed"]) == ("周六跳蚤市场", None, True)
    [session_day] = [p for p in found["series"]["sessions"] if p["sessions"]]
    assert session_day["peak_viewers"] == 0  # nobody watched: no one to recognise

    assert (await w.insights(w.manager)).status_code == 200
    for refused in (w.residents[0], w.outsider):
        r = await w.insights(refused)
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", r.text
    anonymous = await gateway.get("/api/v1/insights", params={"community_id": w.community_id})
    assert anonymous.status_code == 401

    # by week, and a period before anything happened
    weekly = (await w.insights(w.leader, bucket="week", **{"from": found["first_day"]})).json()
    assert sum(p["orders"] or 0 for p in weekly["series"]["orders"]) == BUYERS
    before = date.fromisoformat(found["first_day"]) - timedelta(days=10)
    empty = (await w.insights(w.leader, **{"from": str(before), "to": str(before + timedelta(days=6))})).json()
    assert [p["orders"] for p in empty["series"]["orders"]] == [0] * 7

    for bad in ({"from": "2026-02-30"}, {"bucket": "month"}, {"from": "2026-05-02", "to": "2026-05-01"}):
        r = await w.insights(w.leader, **bad)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", (bad, r.text)


async def test_each_table_downloads_as_csv(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    w = await Lively.build(gateway, system)
    params = {"community_id": w.community_id}
    r = await w.leader.request("GET", "/api/v1/insights/activity.csv", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="activity-')
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 30
    [today] = [row for row in rows if row["orders"] not in ("", "0")]
    assert (today["orders"], today["turnover_fen"], today["registrations"], today["suppressed"]) == (
        str(BUYERS),
        str(BUYERS * PRICE_FEN),
        "",  # two residents: withheld
        "true",
    )
    events = await w.leader.request("GET", "/api/v1/insights/upcoming_events.csv", params=params)
    [row] = list(csv.DictReader(io.StringIO(events.content.decode("utf-8-sig"))))
    assert (row["title"], row["residents"], row["suppressed"]) == ("周六跳蚤市场", "", "true")
    for table in ("demand", "coverage_gaps", "providers"):
        r = await w.leader.request("GET", f"/api/v1/insights/{table}.csv", params=params)
        assert r.status_code == 200 and r.content.decode("utf-8-sig").startswith(("category,", "provider_id,"))
    assert (await w.residents[0].request("GET", "/api/v1/insights/activity.csv", params=params)).status_code == 403
    assert (await w.leader.request("GET", "/api/v1/insights/secrets.csv", params=params)).status_code == 422
