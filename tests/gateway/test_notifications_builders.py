"""What each event tells a person: kind, titles, body, link and ids, from the event alone."""

from __future__ import annotations

from datetime import UTC, datetime

from services.gateway.notifications.builders import BUILDERS, build
from services.gateway.notifications.models import Kind
from shared.events.schemas import community as c
from shared.events.schemas import livestream as ls
from shared.events.schemas import matching as m
from shared.events.schemas import orders as o

AT = datetime(2026, 12, 5, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
IDS = {"community_id": "c1", "event_id": "e1"}


def test_every_kind_has_a_builder_and_every_builder_a_kind() -> None:
    assert {build(example).kind for example in EXAMPLES} == set(Kind)
    assert {type(example) for example in EXAMPLES} == set(BUILDERS)


def test_session_reminder_shows_local_time_and_links_the_session() -> None:
    n = build(
        ls.SessionReminderDue(session_id="s1", community_id="c1", title="辅食添加", planned_start=AT, subscriber_ids=[])
    )
    assert (n.kind, n.title, n.title_en) == (Kind.session_reminder, "直播即将开始", "A live session starts soon")
    assert (n.body, n.link, n.data) == (
        "辅食添加 · 12-05 09:30",
        "/api/v1/sessions/s1",
        {"session_id": "s1", "community_id": "c1"},
    )


def test_event_reminder_announcement_and_cancellation_link_the_event() -> None:
    reminder = build(c.OfflineEventReminder(**IDS, title="跳蚤市场", place="南门广场", starts_at=AT, recipient_ids=[]))
    assert (reminder.kind, reminder.body) == (Kind.event_reminder, "跳蚤市场 · 南门广场 · 12-05 09:30")
    announced = build(c.OfflineEventAnnounced(**IDS, author_id="u1", message="改到北门", recipient_ids=[]))
    assert (announced.kind, announced.body) == (Kind.event_announcement, "改到北门")
    cancelled = build(c.OfflineEventCancelled(**IDS, title="跳蚤市场", starts_at=AT, reason="下雨", recipient_ids=[]))
    assert (cancelled.kind, cancelled.body) == (Kind.event_cancelled, "跳蚤市场（12-05 09:30）：下雨")
    assert {reminder.link, announced.link, cancelled.link} == {"/api/v1/community-events/e1"}
    assert reminder.data == announced.data == cancelled.data == {"event_id": "e1", "community_id": "c1"}


def test_waitlist_promotion_says_whether_a_payment_is_awaited() -> None:
    common = {**IDS, "registration_id": "r1", "organiser_id": "o1", "user_id": "u1", "title": "烘焙课"}
    seat = build(c.RegistrationPromoted(**common, status="registered", seats=1))
    assert (seat.kind, seat.title_en, seat.body) == (
        Kind.waitlist_promoted,
        "Off the waitlist: you have a seat",
        "烘焙课 · 1 个名额，已报上名",
    )
    assert seat.data["awaiting_payment"] is False and seat.link == "/api/v1/community-events/e1/registrations/me"
    held = build(c.RegistrationPromoted(**common, status="awaiting_payment", seats=2, fee_fen=3000, pay_by=AT))
    assert held.title == "候补成功，请付款保留名额" and "12-05 09:30 前付款" in held.body
    assert (held.data["awaiting_payment"], held.data["amount_fen"], held.data["pay_by"]) == (True, 6000, AT.isoformat())


def test_event_fees_paid_and_refunded_tell_the_resident() -> None:
    paid = build(c.RegistrationConfirmed(**IDS, registration_id="r1", organiser_id="o1", user_id="u1", seats=2))
    assert (paid.kind, paid.title_en, paid.body) == (
        Kind.event_fee,
        "Fee received: your seat is confirmed",
        "2 个名额已确认",
    )
    assert paid.link == "/api/v1/community-events/e1/registrations/me"
    refund = build(
        o.EventFeeRefunded(**IDS, fee_id="f1", registration_id="r1", user_id="u1", amount_fen=3050, reason="活动取消")
    )
    assert (refund.kind, refund.body, refund.link) == (Kind.event_fee, "¥30.50 · 活动取消", "/api/v1/event-fees/f1")
    assert refund.data["amount_fen"] == 3050


def test_registration_notices_for_the_organiser() -> None:
    common = {**IDS, "registration_id": "r1", "organiser_id": "o1", "user_id": "u1"}
    signed = build(c.OfflineEventRegistered(**common, status="waitlisted", companions=1, seats=2, waitlist_position=3))
    assert (signed.kind, signed.title, signed.body) == (Kind.registration_notice, "新的候补报名", "2 人，候补第 3 位")
    withdrew = build(c.RegistrationCancelled(**common, was="registered", seats=2))
    assert (withdrew.kind, withdrew.body) == (Kind.registration_notice, "2 个名额已释放")
    assert signed.data["user_id"] == withdrew.data["user_id"] == "u1"


def test_swap_offers_and_their_answers() -> None:
    ids = {"offer_id": "f1", "swap_id": "w1", "community_id": "c1"}
    made = build(c.SwapOfferMade(**ids, owner_id="o1", user_id="u1"))
    assert (made.kind, made.link) == (Kind.swap_offer, "/api/v1/swaps/w1/offers")
    accepted = build(c.SwapOfferAccepted(**ids, owner_id="o1", user_id="u1"))
    declined = build(c.SwapOfferDeclined(**ids, user_id="u1", reason="物品已送给其他邻居"))
    assert accepted.kind == declined.kind == Kind.swap_offer_answered
    assert (accepted.data["accepted"], declined.data["accepted"], declined.body) == (True, False, "物品已送给其他邻居")


def test_booking_updates_name_the_slot_and_any_reason() -> None:
    fact = {
        "booking_id": "b1",
        "provider_id": "p1",
        "offering_id": "of1",
        "community_id": "c1",
        "kind": "slot",
        "starts_at": AT,
        "ends_at": AT,
    }
    confirmed = build(o.BookingConfirmed(**fact))
    assert (confirmed.kind, confirmed.title, confirmed.body) == (Kind.booking_update, "预约已确认", "12-05 09:30")
    declined = build(o.BookingDeclined(**fact | {"kind": "inquiry", "starts_at": None}, reason="那天没空"))
    assert (declined.title_en, declined.body) == ("Your booking was declined", "咨询：那天没空")
    assert confirmed.link == "/api/v1/bookings/b1" and confirmed.data["offering_id"] == "of1"


def test_demand_alert_counts_residents_and_providers() -> None:
    provider = m.SuggestedProvider(provider_id="p1", offering_id="of1", name="小王家政", rating=4.8)
    body = {"community_id": "c1", "category": "housekeeping", "residents": 12, "threshold": 10}
    window = {"window_start": AT, "window_days": 14}
    n = build(m.DemandThresholdReached(**body, **window, suggested_providers=[provider]))
    assert (n.kind, n.body) == (Kind.demand_alert, "14 天内 12 位居民需要「housekeeping」，有 1 家服务方可引入")
    assert n.link == "/api/v1/demand?community_id=c1" and n.data["provider_ids"] == ["p1"]
    none = build(m.DemandThresholdReached(**body, **window, suggested_providers=[]))
    assert none.body.endswith("暂无服务方覆盖")


_FACT = {"provider_id": "p", "offering_id": "f", "community_id": "c1", "kind": "slot", "starts_at": AT, "ends_at": AT}
EXAMPLES = [
    ls.SessionReminderDue(session_id="s", community_id="c1", title="t", planned_start=AT, subscriber_ids=[]),
    c.OfflineEventReminder(**IDS, title="t", place="p", starts_at=AT, recipient_ids=[]),
    c.OfflineEventAnnounced(**IDS, author_id="a", message="m", recipient_ids=[]),
    c.OfflineEventCancelled(**IDS, title="t", starts_at=AT, reason="r", recipient_ids=[]),
    c.RegistrationPromoted(**IDS, registration_id="r", organiser_id="o", user_id="u", status="registered", seats=1),
    c.RegistrationConfirmed(**IDS, registration_id="r", organiser_id="o", user_id="u", seats=1),
    o.EventFeeRefunded(**IDS, fee_id="f", registration_id="r", user_id="u", amount_fen=100, reason="r"),
    c.OfflineEventRegistered(
        **IDS, registration_id="r", organiser_id="o", user_id="u", status="registered", companions=0, seats=1
    ),
    c.RegistrationCancelled(**IDS, registration_id="r", organiser_id="o", user_id="u", was="waitlisted", seats=1),
    c.SwapOfferMade(offer_id="f", swap_id="w", community_id="c1", owner_id="o", user_id="u"),
    c.SwapOfferAccepted(offer_id="f", swap_id="w", community_id="c1", owner_id="o", user_id="u"),
    c.SwapOfferDeclined(offer_id="f", swap_id="w", community_id="c1", user_id="u", reason="r"),
    o.BookingConfirmed(booking_id="b1", **_FACT),
    o.BookingDeclined(booking_id="b2", **_FACT, reason="r"),
    o.BookingCancelled(booking_id="b3", **_FACT, cancelled_by="provider", reason="r", fee_fen=0),
    o.BookingCompleted(booking_id="b4", **_FACT),
    o.BookingReplied(booking_id="b5", **_FACT, reply="谢谢"),
    m.DemandThresholdReached(
        community_id="c1",
        category="x",
        residents=3,
        threshold=3,
        window_start=AT,
        window_days=7,
        suggested_providers=[],
    ),
]
