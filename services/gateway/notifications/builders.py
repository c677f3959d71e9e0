"""What each event tells a person, built from the event alone: the kind, a title in Chinese and
English, a short body, a link the app opens and the ids it needs. No I/O here: the handlers find
the recipients (most events name them) and store one notification each."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from services.gateway.notifications.models import Kind
from shared.events import EventData
from shared.events.schemas import community as c
from shared.events.schemas import livestream as ls
from shared.events.schemas import matching as m
from shared.events.schemas import orders as o

CHINA = timezone(timedelta(hours=8), "CST")  # bodies show local time; the data keeps UTC


@dataclass(frozen=True)
class Notice:
    kind: Kind
    title: str
    title_en: str
    body: str
    link: str
    data: dict[str, Any] = field(default_factory=dict)


def _local(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%m-%d %H:%M")


def _event_link(event_id: str) -> str:
    return f"/api/v1/community-events/{event_id}"


def session_reminder(d: ls.SessionReminderDue) -> Notice:
    return Notice(
        Kind.session_reminder,
        "直播即将开始",
        "A live session starts soon",
        f"{d.title} · {_local(d.planned_start)}",
        f"/api/v1/sessions/{d.session_id}",
        {"session_id": d.session_id, "community_id": d.community_id},
    )


def event_reminder(d: c.OfflineEventReminder) -> Notice:
    return Notice(
        Kind.event_reminder,
        "活动即将开始",
        "An event starts soon",
        f"{d.title} · {d.place} · {_local(d.starts_at)}",
        _event_link(d.event_id),
        {"event_id": d.event_id, "community_id": d.community_id},
    )


def event_announcement(d: c.OfflineEventAnnounced) -> Notice:
    return Notice(
        Kind.event_announcement,
        "活动公告",
        "An announcement about your event",
        d.message,
        _event_link(d.event_id),
        {"event_id": d.event_id, "community_id": d.community_id},
    )


def event_cancelled(d: c.OfflineEventCancelled) -> Notice:
    return Notice(
        Kind.event_cancelled,
        "活动已取消",
        "An event was cancelled",
        f"{d.title}（{_local(d.starts_at)}）：{d.reason}",
        _event_link(d.event_id),
        {"event_id": d.event_id, "community_id": d.community_id},
    )


def waitlist_promoted(d: c.RegistrationPromoted) -> Notice:
    awaiting_payment = d.status == "awaiting_payment"
    if awaiting_payment:
        held = f"，请在 {_local(d.pay_by)} 前付款" if d.pay_by else "，请尽快付款"
        body = f"{d.title} · {d.seats} 个名额已为你保留{held}"
    else:
        body = f"{d.title} · {d.seats} 个名额，已报上名"
    return Notice(
        Kind.waitlist_promoted,
        "候补成功，请付款保留名额" if awaiting_payment else "候补成功",
        "Off the waitlist: pay to keep your seat" if awaiting_payment else "Off the waitlist: you have a seat",
        body.removeprefix(" · "),  # events from before titles
        f"{_event_link(d.event_id)}/registrations/me",
        {
            "event_id": d.event_id,
            "registration_id": d.registration_id,
            "community_id": d.community_id,
            "status": d.status,
            "awaiting_payment": awaiting_payment,
            "amount_fen": d.fee_fen * d.seats,  # to pay for all its seats
            "pay_by": d.pay_by.isoformat() if d.pay_by else None,
        },
    )


def registered(d: c.OfflineEventRegistered) -> Notice:
    waitlisted = d.status == "waitlisted"
    return Notice(
        Kind.registration_notice,
        "新的候补报名" if waitlisted else "新的报名",
        "Someone joined the waitlist" if waitlisted else "Someone signed up",
        f"{d.title} · {d.seats} 人".removeprefix(" · ") + (f"，候补第 {d.waitlist_position} 位" if waitlisted else ""),
        f"{_event_link(d.event_id)}/registrations",
        _registration_data(d),
    )


def registration_cancelled(d: c.RegistrationCancelled) -> Notice:
    return Notice(
        Kind.registration_notice,
        "有人取消了报名",
        "Someone withdrew their sign-up",
        f"{d.seats} 个名额已释放" if d.was != "waitlisted" else "一位候补退出",
        f"{_event_link(d.event_id)}/registrations",
        _registration_data(d),
    )


def _registration_data(d: c.OfflineEventRegistered | c.RegistrationCancelled) -> dict[str, Any]:
    return {
        "event_id": d.event_id,
        "registration_id": d.registration_id,
        "community_id": d.community_id,
        "user_id": d.user_id,
    }


def swap_offer(d: c.SwapOfferMade) -> Notice:
    return Notice(
        Kind.swap_offer,
        "你的闲置有人想要",
        "A neighbour made an offer on your item",
        "打开看看，接受或婉拒",
        f"/api/v1/swaps/{d.swap_id}/offers",
        {"swap_id": d.swap_id, "offer_id": d.offer_id, "community_id": d.community_id},
    )


def swap_offer_accepted(d: c.SwapOfferAccepted) -> Notice:
    return Notice(
        Kind.swap_offer_answered,
        "你的交换请求被接受了",
        "Your offer was accepted",
        "约好时间交接，双方确认后完成",
        f"/api/v1/swaps/{d.swap_id}",
        {"swap_id": d.swap_id, "offer_id": d.offer_id, "community_id": d.community_id, "accepted": True},
    )


def swap_offer_declined(d: c.SwapOfferDeclined) -> Notice:
    return Notice(
        Kind.swap_offer_answered,
        "你的交换请求未被接受",
        "Your offer was declined",
        d.reason,
        f"/api/v1/swaps/{d.swap_id}",
        {"swap_id": d.swap_id, "offer_id": d.offer_id, "community_id": d.community_id, "accepted": False},
    )


_BOOKING_TITLES: dict[type[o.BookingFact], tuple[str, str]] = {
    o.BookingConfirmed: ("预约已确认", "Your booking is confirmed"),
    o.BookingDeclined: ("预约被婉拒", "Your booking was declined"),
    o.BookingCancelled: ("预约已取消", "Your booking was cancelled"),
    o.BookingCompleted: ("服务已完成，来评价吧", "Done: how did it go?"),
    o.BookingReplied: ("服务方回复了你的评价", "The provider replied to your review"),
}


def booking_update(d: o.BookingFact) -> Notice:
    title, title_en = _BOOKING_TITLES[type(d)]
    when = _local(d.starts_at) if d.starts_at else "咨询"
    reason = getattr(d, "reason", "")
    return Notice(
        Kind.booking_update,
        title,
        title_en,
        f"{when}：{reason}" if reason else when,
        f"/api/v1/bookings/{d.booking_id}",
        {"booking_id": d.booking_id, "offering_id": d.offering_id, "community_id": d.community_id},
    )


def demand_alert(d: m.DemandThresholdReached) -> Notice:
    suggested = len(d.suggested_providers)
    return Notice(
        Kind.demand_alert,
        "居民需求达到提醒线",
        "Residents are asking for a service",
        f"{d.window_days} 天内 {d.residents} 位居民需要「{d.category}」"
        + (f"，有 {suggested} 家服务方可引入" if suggested else "，暂无服务方覆盖"),
        f"/api/v1/demand?community_id={d.community_id}",
        {
            "community_id": d.community_id,
            "category": d.category,
            "residents": d.residents,
            "provider_ids": [p.provider_id for p in d.suggested_providers],
        },
    )


def fee_paid(d: c.RegistrationConfirmed) -> Notice:
    return Notice(
        Kind.event_fee,
        "报名费已收到，名额已确认",
        "Fee received: your seat is confirmed",
        f"{d.seats} 个名额已确认",
        f"{_event_link(d.event_id)}/registrations/me",
        {"event_id": d.event_id, "registration_id": d.registration_id, "community_id": d.community_id},
    )


def fee_refunded(d: o.EventFeeRefunded) -> Notice:
    return Notice(
        Kind.event_fee,
        "报名费正在退回",
        "Your event fee is being refunded",
        f"¥{d.amount_fen / 100:.2f} · {d.reason}",
        f"/api/v1/event-fees/{d.fee_id}",
        {
            "event_id": d.event_id,
            "registration_id": d.registration_id,
            "fee_id": d.fee_id,
            "community_id": d.community_id,
            "amount_fen": d.amount_fen,
        },
    )


BUILDERS: dict[type[EventData], Callable[[Any], Notice]] = {
    ls.SessionReminderDue: session_reminder,
    c.OfflineEventReminder: event_reminder,
    c.OfflineEventAnnounced: event_announcement,
    c.OfflineEventCancelled: event_cancelled,
    c.RegistrationPromoted: waitlist_promoted,
    c.RegistrationConfirmed: fee_paid,
    o.EventFeeRefunded: fee_refunded,
    c.OfflineEventRegistered: registered,
    c.RegistrationCancelled: registration_cancelled,
    c.SwapOfferMade: swap_offer,
    c.SwapOfferAccepted: swap_offer_accepted,
    c.SwapOfferDeclined: swap_offer_declined,
    **dict.fromkeys(_BOOKING_TITLES, booking_update),
    m.DemandThresholdReached: demand_alert,
}


def build(data: EventData) -> Notice:
    return BUILDERS[type(data)](data)
