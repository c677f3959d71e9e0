"""The webhook rules that need no system: the retry schedule, the SSRF guard, signed calls, which
events partners may receive and what a delivery of one looks like, when an endpoint is paused."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpcore
import pytest
from standardwebhooks.webhooks import Webhook

from services.gateway.partners.auth import verify_signature
from services.gateway.settings import Settings
from services.gateway.webhooks.deliveries import Due, Endpoint, Outcome
from services.gateway.webhooks.events import message_id, partner_event_types, webhook_body
from services.gateway.webhooks.guard import Guard, GuardedBackend, is_public
from services.gateway.webhooks.health import EndpointHealth
from services.gateway.webhooks.schedule import next_delay, parse_retry_after
from shared.errors import Unauthorized, Unprocessable
from shared.events import new_event
from shared.events.schemas.catalog import ListingListed
from tests.factories import signed_headers

SCHEDULE = Settings().webhook_retry_schedule
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


# --- the retry schedule -------------------------------------------------------------------------


def test_the_schedule_is_the_standard_webhooks_example() -> None:
    minutes, hours = 60, 3600
    expected = [0, 5, 5 * minutes, 30 * minutes, 2 * hours, 5 * hours, 10 * hours, 14 * hours, 20 * hours, 24 * hours]
    assert expected == SCHEDULE


def test_each_retry_waits_its_step_with_jitter_and_the_schedule_ends() -> None:
    for failed in range(len(SCHEDULE)):
        delays = [next_delay(SCHEDULE, failed, jitter=0.1) for _ in range(200)]
        assert all(d is not None and 0.9 * SCHEDULE[failed] <= d <= 1.1 * SCHEDULE[failed] for d in delays)
        if SCHEDULE[failed]:
            assert len(set(delays)) > 100, "jitter spreads retries that failed together"
    assert next_delay(SCHEDULE, len(SCHEDULE), jitter=0.1) is None


def test_retry_after_is_honoured_up_to_the_longest_step() -> None:
    assert next_delay(SCHEDULE, 1, jitter=0, retry_after=120) == 120  # 5 s in the schedule, the endpoint asks 2 min
    assert next_delay(SCHEDULE, 2, jitter=0, retry_after=1) == 300  # never sooner than the schedule
    assert next_delay(SCHEDULE, 1, jitter=0, retry_after=10**9) == max(SCHEDULE)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after("Wed, 25 Nov 2026 12:01:30 GMT", now=now) == 90
    assert parse_retry_after("Wed, 25 Nov 2026 11:00:00 GMT", now=now) == 0
    for unreadable in (None, "", "soon", "-5", "1.5"):
        assert parse_retry_after(unreadable, now=now) is None


# --- SSRF -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1",
     "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1", "255.255.255.255"],
)  # fmt: skip
def test_inside_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://8.8.8.8/hooks", "must be https"),
        ("ftp://example.com/x", "not an http(s) URL"),
        ("https:///no-host", "not an http(s) URL"),
        ("https://user:pw@8.8.8.8/hooks", "credentials"),
        ("https://127.0.0.1/hooks", "127.0.0.1, which is not a public address"),
        ("https://10.0.0.5:8443/hooks", "not a public address"),
        ("https://169.254.169.254/latest/meta-data", "not a public address"),
        ("https://[::1]/hooks", "not a public address"),
        ("https://[::ffff:192.168.0.1]/hooks", "not a public address"),
        ("https://localhost/hooks", "not a public address"),  # a name is resolved, then judged
        ("https://no-such-host.invalid/hooks", "does not resolve"),
        ("https://8.8.8.8:99999/hooks", "not a valid URL"),
    ],
)
async def test_partner_urls_must_reach_public_https_addresses(url: str, says: str) -> None:
    with pytest.raises(Unprocessable, match=re.escape(says)):
        await Guard(allow_private=False, allowed_hosts=[]).check_url(url)


async def test_operators_may_allow_private_addresses_or_trust_hosts() -> None:
    await Guard(allow_private=False, allowed_hosts=[]).check_url("https://8.8.8.8/hooks")
    await Guard(allow_private=True, allowed_hosts=[]).check_url("https://10.0.0.5/hooks")
    with pytest.raises(Unprocessable, match="https"):  # private allowed, plain http still not
        await Guard(allow_private=True, allowed_hosts=[]).check_url("http://10.0.0.5/hooks")
    trusting = Guard(allow_private=False, allowed_hosts=["127.0.0.1", "Receiver.Local."])
    await trusting.check_url("http://127.0.0.1:8080/hooks")
    await trusting.check_url("http://receiver.local/hooks")
    with pytest.raises(Unprocessable):
        await trusting.check_url("https://127.0.0.2/hooks")


async def test_the_sender_connects_only_where_the_guard_allows() -> None:
    """At delivery time too: the address is checked when connecting (DNS may have changed)."""
    backend = GuardedBackend(Guard(allow_private=False, allowed_hosts=[]))
    for host in ("127.0.0.1", "localhost", "10.0.0.5"):
        with pytest.raises(httpcore.ConnectError, match="not a public address"):
            await backend.connect_tcp(host, 9, timeout=1)
    with pytest.raises(httpcore.ConnectError, match="unix socket"):
        await backend.connect_unix_socket("/var/run/docker.sock")


# --- signed calls ---------------------------------------------------------------------------------


def check(headers: dict[str, str], body: str = '{"reason": "师傅生病"}', *, now: float | None = None) -> None:
    stamp = datetime.now(UTC).timestamp() if now is None else now
    verify_signature(SECRET, body.encode(), headers, tolerance=300, now=stamp)


def test_a_call_signed_with_the_key_secret_is_accepted() -> None:
    body = '{"reason": "师傅生病"}'
    check(signed_headers(SECRET, body), body)
    check(signed_headers(SECRET, ""), "")
    # Standard Webhooks allows several signatures (secret rotation): one that matches is enough.
    headers = signed_headers(SECRET, body)
    headers["webhook-signature"] = "v1,AAAA " + headers["webhook-signature"]
    check(headers, body)


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        (lambda h: h.pop("webhook-signature"), "must be signed"),
        (lambda h: h.pop("webhook-id"), "must be signed"),
        (lambda h: h.update({"webhook-id": "x" * 201}), "longer than 200"),
        (lambda h: h.update({"webhook-timestamp": "yesterday"}), "Unix seconds"),
        (lambda h: h.update({"webhook-signature": "v1,c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ=="}), "does not match"),
        (lambda h: h.update({"webhook-signature": "garbage"}), "does not match"),
        (lambda h: h.update({"webhook-signature": "v1,!!notbase64!!"}), "does not match"),
        (lambda h: h.update({"webhook-id": "msg_other"}), "does not match"),
    ],
)
def test_a_bad_signature_is_refused(tamper: object, says: str) -> None:
    headers = signed_headers(SECRET, '{"reason": "师傅生病"}')
    tamper(headers)  # type: ignore[operator]
    with pytest.raises(Unauthorized, match=says):
        check(headers)


def test_another_body_or_secret_does_not_match() -> None:
    with pytest.raises(Unauthorized, match="does not match"):
        check(signed_headers(SECRET, '{"reason": "师傅生病"}'), '{"reason": "改了"}')
    other = "whsec_" + "c29tZW9uZSBlbHNlcyBzZWNyZXQ="
    with pytest.raises(Unauthorized, match="does not match"):
        check(signed_headers(other, '{"reason": "师傅生病"}'))


def test_a_timestamp_outside_the_tolerance_is_refused() -> None:
    now = datetime.now(UTC)
    for off in (timedelta(minutes=-6), timedelta(minutes=6), timedelta(days=-1)):
        with pytest.raises(Unauthorized, match="away from Linli's clock"):
            check(signed_headers(SECRET, '{"reason": "师傅生病"}', at=now + off))
    check(signed_headers(SECRET, '{"reason": "师傅生病"}', at=now - timedelta(minutes=4)))


# --- what partners receive ------------------------------------------------------------------------


def test_partners_receive_their_providers_bookings_and_listings() -> None:
    types = partner_event_types()
    assert {"catalog.listing.listed", "catalog.listing.suspended", "catalog.endorsement.added"} <= types.keys()
    assert all("provider_id" in schema.model_fields for schema in types.values())
    assert not {t for t in types if t.startswith(("catalog.product.", "gateway.", "community."))}


def test_one_event_is_one_webhook_id_and_a_standard_webhooks_body() -> None:
    event = new_event(
        ListingListed(listing_id="l1", provider_id="p1", community_id="c1", from_state="trial", reason="试用满意"),
        subject="l1",
    )
    assert message_id(event.id) == message_id(event.id) != message_id(new_event(event.data, subject="l1").id)
    assert message_id(event.id).startswith("msg_")
    body = json.loads(webhook_body(event))
    assert body == {
        "type": "catalog.listing.listed",
        "timestamp": event.time.isoformat().replace("+00:00", "Z"),
        "data": event.data.model_dump(mode="json"),
    }
    assert "试用满意" in webhook_body(event), "UTF-8, not escapes: what is signed is what is sent"
    # What the sender signs, the public library verifies.
    at = datetime.now(UTC)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(at.timestamp()))}
    headers["webhook-signature"] = Webhook(SECRET).sign("msg_1", at, webhook_body(event))
    assert Webhook(SECRET).verify(webhook_body(event).encode(), headers) == body


# --- endpoint health ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def outcome(status: int | None, error: str | None = None) -> Outcome:
    due = Due(
        delivery_id="d", endpoint=Endpoint("e", "https://x/", SECRET), message_id="msg_1", payload="{}", attempts=0
    )
    return Outcome(due=due, attempted_at=datetime.now(UTC), duration_ms=1, status_code=status, error=error)


def test_an_endpoint_that_fails_as_a_whole_is_paused_then_probed_at_doubling_intervals() -> None:
    clock = Clock()
    health = EndpointHealth(first_pause=5, max_pause=30, clock=clock)
    assert health.limit("e", 4) == 4
    for _ in range(4):  # four sends in flight fail together: one pause, not four doublings
        health.observe("e", outcome(None, "could not connect"))
    assert health.limit("e", 4) == 0
    pauses = []
    for _ in range(5):
        start = clock.now
        while health.limit("e", 4) == 0:
            clock.now += 1
        pauses.append(clock.now - start)
        assert health.limit("e", 4) == 1, "one probe at a time"
        health.observe("e", outcome(503))
    assert pauses == [5, 10, 20, 30, 30]
    while health.limit("e", 4) == 0:
        clock.now += 1
    health.observe("e", outcome(200))
    assert health.limit("e", 4) == 4, "a delivery got through: full speed again"


@pytest.mark.parametrize(("status", "paused"), [(None, True), (429, True), (500, True), (502, True), (400, False),
                                                (404, False), (413, False)])  # fmt: skip
def test_only_failures_of_the_endpoint_pause_it(status: int | None, paused: bool) -> None:
    health = EndpointHealth(first_pause=5, max_pause=30, clock=Clock())
    health.observe("e", outcome(status, None if status else "no answer within 15 s"))
    assert health.limit("e", 4) == (0 if paused else 4)


def test_an_endpoint_that_answered_gone_is_held_until_it_is_disabled() -> None:
    health = EndpointHealth(first_pause=5, max_pause=30, clock=Clock())
    health.observe("e", outcome(410))
    assert health.limit("e", 4) == 0
    health.forget_all_but({"other"})  # its disabling committed: no longer active
    assert health.limit("e", 4) == 4, "re-enabled later, it starts afresh"
