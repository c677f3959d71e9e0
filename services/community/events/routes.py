from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from services.community.events import (
    access,
    checkin,
    feedback,
    feeds,
    highlights,
    organisers,
    participants,
    registration,
    service,
)
from services.community.events.calendar import MEDIA_TYPE
from services.community.events.desk import Tap
from services.community.events.models import (
    Announcement,
    AnnouncementSent,
    CalendarFeedPublic,
    CancelRequest,
    CheckInRequest,
    EventCreate,
    EventPublic,
    EventUpdate,
    FeedbackCreate,
    FeedbackPublic,
    FeedbackSummary,
    HelperCreate,
    HighlightCreate,
    HighlightPublic,
    OrganiserGrant,
    OrganiserPublic,
    Participant,
    RegistrationCreate,
    RegistrationPublic,
)
from services.community.events.registration import SignUp
from shared.auth import CurrentPrincipal
from shared.correlation import current_trace
from shared.models import utcnow
from shared.pagination import Limit, Offset
from shared.service import ReaderDep, SessionDep

router = APIRouter(tags=["community events"])
EVENT = "/community-events/{event_id}"


async def _fee_hold(request: Request) -> timedelta:
    return request.app.state.settings.fee_hold  # type: ignore[no-any-return]


FeeHold = Annotated[timedelta, Depends(_fee_hold)]  # how long a seat at an event with a fee waits for payment


# --------------------------------------------------------------------------------------------
# A community's events, organisers, highlights and calendar feed


@router.post(
    "/communities/{community_id}/events",
    status_code=status.HTTP_201_CREATED,
    summary="Create an offline event (leaders and organisers they allowed); published at once unless draft",
)
async def create_event(
    community_id: str, body: EventCreate, session: SessionDep, principal: CurrentPrincipal
) -> EventPublic:
    event = await service.create_event(session, principal=principal, community_id=community_id, data=body)
    await session.commit()
    return EventPublic.of(event)


@router.get("/communities/{community_id}/events", summary="A community's events (members); drafts for organisers")
async def list_events(
    community_id: str,
    session: ReaderDep,
    principal: CurrentPrincipal,
    scope: Annotated[
        Literal["upcoming", "past", "drafts"],
        Query(description="upcoming (soonest first), past (latest first), drafts (organisers)"),
    ] = "upcoming",
    limit: Limit = 20,
    offset: Offset = 0,
) -> list[EventPublic]:
    events = await service.list_events(
        session, principal=principal, community_id=community_id, scope=scope, limit=limit, offset=offset
    )
    return [EventPublic.of(event) for event in events]


@router.get("/communities/{community_id}/highlights", summary="Highlights of the community's events, newest first")
async def list_highlights(
    community_id: str, session: ReaderDep, principal: CurrentPrincipal, limit: Limit = 20, offset: Offset = 0
) -> list[HighlightPublic]:
    return await highlights.of_community(
        session, principal=principal, community_id=community_id, limit=limit, offset=offset
    )


@router.get("/communities/{community_id}/organisers", summary="Members allowed to organise events here")
async def list_organisers(community_id: str, session: ReaderDep, principal: CurrentPrincipal) -> list[OrganiserPublic]:
    return await organisers.list_organisers(session, principal=principal, community_id=community_id)


@router.post("/communities/{community_id}/organisers", summary="Allow a member to organise events (leaders)")
async def grant_organiser(
    community_id: str, body: OrganiserGrant, session: SessionDep, principal: CurrentPrincipal
) -> OrganiserPublic:
    granted = await organisers.grant(session, principal=principal, community_id=community_id, user_id=body.user_id)
    await session.commit()
    return granted


@router.delete(
    "/communities/{community_id}/organisers/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw a member's right to organise events (leaders)",
)
async def revoke_organiser(community_id: str, user_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    await organisers.revoke(session, principal=principal, community_id=community_id, user_id=user_id)
    await session.commit()


@router.post(
    "/communities/{community_id}/calendar-feed",
    status_code=status.HTTP_201_CREATED,
    summary="A secret URL of the community's calendar for my phone (a new one each time: the old one stops)",
)
async def rotate_feed(
    community_id: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> CalendarFeedPublic:
    public_url = request.app.state.settings.public_url
    feed = await feeds.rotate(session, principal=principal, community_id=community_id, public_url=public_url)
    await session.commit()
    return feed


@router.delete(
    "/communities/{community_id}/calendar-feed",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop my calendar feed's URL",
)
async def revoke_feed(community_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    await feeds.revoke(session, principal=principal, community_id=community_id)
    await session.commit()


@router.get(
    "/calendar-feeds/{token}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
    summary="A community's calendar (events to come), at a member's secret URL: no bearer token",
)
async def calendar_feed(token: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")], session: ReaderDep) -> Response:
    return Response(await feeds.feed(session, token=token, now=utcnow()), media_type=MEDIA_TYPE)


# --------------------------------------------------------------------------------------------
# One event


@router.get(EVENT)
async def get_event(event_id: str, session: ReaderDep, principal: CurrentPrincipal) -> EventPublic:
    return EventPublic.of(await access.visible_event(session, principal=principal, event_id=event_id))


@router.patch(EVENT, summary="Change an event's details (only the fields given; organisers)")
async def edit_event(
    event_id: str, body: EventUpdate, session: SessionDep, principal: CurrentPrincipal, hold: FeeHold
) -> EventPublic:
    event = await service.edit_event(session, principal=principal, event_id=event_id, data=body, hold=hold)
    await session.commit()
    return EventPublic.of(event)


@router.post(EVENT + "/publish", summary="Publish a draft: members may sign up")
async def publish(event_id: str, session: SessionDep, principal: CurrentPrincipal) -> EventPublic:
    event = await service.publish(session, principal=principal, event_id=event_id)
    await session.commit()
    return EventPublic.of(event)


@router.post(EVENT + "/close", summary="Close sign-up now (it also closes by itself at registration_closes_at)")
async def close(event_id: str, session: SessionDep, principal: CurrentPrincipal) -> EventPublic:
    event = await service.close(session, principal=principal, event_id=event_id)
    await session.commit()
    return EventPublic.of(event)


@router.post(EVENT + "/held", summary="Mark the event held: seats not checked in are recorded as no-shows")
async def mark_held(event_id: str, session: SessionDep, principal: CurrentPrincipal) -> EventPublic:
    event = await service.mark_held(session, principal=principal, event_id=event_id)
    await session.commit()
    return EventPublic.of(event)


@router.post(EVENT + "/archive", summary="Archive a held event")
async def archive(event_id: str, session: SessionDep, principal: CurrentPrincipal) -> EventPublic:
    event = await service.archive(session, principal=principal, event_id=event_id)
    await session.commit()
    return EventPublic.of(event)


@router.post(EVENT + "/cancel", summary="Cancel the event: everyone signed up or waiting is told why")
async def cancel(event_id: str, body: CancelRequest, session: SessionDep, principal: CurrentPrincipal) -> EventPublic:
    event = await service.cancel(session, principal=principal, event_id=event_id, reason=body.reason)
    await session.commit()
    return EventPublic.of(event)


@router.get(
    EVENT + "/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
    summary="The event as iCalendar (.ics), to add to a calendar",
)
async def event_ics(event_id: str, session: ReaderDep, principal: CurrentPrincipal) -> Response:
    return Response(await feeds.event_ics(session, principal=principal, event_id=event_id), media_type=MEDIA_TYPE)


@router.post(EVENT + "/announcements", status_code=status.HTTP_202_ACCEPTED, summary="Tell everyone with a seat")
async def announce(
    event_id: str, body: Announcement, session: SessionDep, principal: CurrentPrincipal
) -> AnnouncementSent:
    recipients = await service.announce(session, principal=principal, event_id=event_id, message=body.message)
    await session.commit()
    return AnnouncementSent(event_id=event_id, recipients=recipients)


# --------------------------------------------------------------------------------------------
# Sign-up, the door, and after


@router.post(
    EVENT + "/registrations",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationPublic,
    summary="Sign up (with companions and answers): a seat, or a place on the waitlist. Also the live-room card's "
    "one tap.",
)
async def sign_up(event_id: str, body: RegistrationCreate, request: Request, principal: CurrentPrincipal) -> Response:
    tap = Tap(SignUp(principal=principal, event_id=event_id, data=body), trace=current_trace())
    signed = await request.app.state.registration_desk.sign_up(tap)
    public = RegistrationPublic.of(signed.registration, viewer_id=principal.user_id, position=signed.waitlist_position)
    # Serialised once here rather than validated again by FastAPI: this is the endpoint a rush hits.
    return Response(public.model_dump_json(), status_code=status.HTTP_201_CREATED, media_type="application/json")


@router.get(EVENT + "/registrations/me", summary="My sign-up: status, waitlist position, check-in code")
async def my_registration(event_id: str, session: ReaderDep, principal: CurrentPrincipal) -> RegistrationPublic:
    signed = await registration.of_member(session, principal=principal, event_id=event_id)
    return RegistrationPublic.of(signed.registration, viewer_id=principal.user_id, position=signed.waitlist_position)


@router.post(
    EVENT + "/registrations/me/cancel",
    summary="Cancel my sign-up (my seat goes to the waitlist; a paid fee is refunded until sign-up closes)",
)
async def withdraw(
    event_id: str, session: SessionDep, principal: CurrentPrincipal, hold: FeeHold
) -> RegistrationPublic:
    mine = await registration.withdraw(session, principal=principal, event_id=event_id, hold=hold)
    await session.commit()
    return RegistrationPublic.of(mine, viewer_id=principal.user_id, position=None)


@router.get(
    EVENT + "/registrations",
    response_model=list[Participant],
    summary="Participant list with sign-up times and answers (organisers): JSON, or CSV with format=csv",
)
async def participant_list(
    event_id: str, session: ReaderDep, principal: CurrentPrincipal, format: Literal["json", "csv"] = "json"
) -> object:
    event, lines = await participants.participants(session, principal=principal, event_id=event_id)
    if format == "json":
        return lines
    return Response(
        participants.as_csv(event, lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="participants-{event_id[:8]}.csv"'},
    )


@router.post(EVENT + "/check-ins", summary="Check someone in by their code, typed or scanned (organisers, helpers)")
async def check_in(
    event_id: str, body: CheckInRequest, session: SessionDep, principal: CurrentPrincipal
) -> RegistrationPublic:
    checked = await checkin.check_in(session, principal=principal, event_id=event_id, code=body.code)
    await session.commit()
    return RegistrationPublic.of(checked, viewer_id=principal.user_id, position=None)


@router.get(EVENT + "/helpers", summary="Who may check people in besides the organisers")
async def list_helpers(event_id: str, session: ReaderDep, principal: CurrentPrincipal) -> list[str]:
    return [h.user_id for h in await organisers.list_helpers(session, principal=principal, event_id=event_id)]


@router.post(EVENT + "/helpers", summary="Name a member to help check people in (organisers)")
async def add_helper(event_id: str, body: HelperCreate, session: SessionDep, principal: CurrentPrincipal) -> list[str]:
    await organisers.add_helper(session, principal=principal, event_id=event_id, user_id=body.user_id)
    await session.commit()
    return [h.user_id for h in await organisers.list_helpers(session, principal=principal, event_id=event_id)]


@router.delete(EVENT + "/helpers/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_helper(event_id: str, user_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    await organisers.remove_helper(session, principal=principal, event_id=event_id, user_id=user_id)
    await session.commit()


@router.post(
    EVENT + "/feedback", status_code=status.HTTP_201_CREATED, summary="Rate the event (people who were checked in)"
)
async def give_feedback(
    event_id: str, body: FeedbackCreate, session: SessionDep, principal: CurrentPrincipal
) -> FeedbackPublic:
    posted = await feedback.post(session, principal=principal, event_id=event_id, data=body)
    await session.commit()
    return posted


@router.get(EVENT + "/feedback", summary="The event's feedback and average rating")
async def read_feedback(event_id: str, session: ReaderDep, principal: CurrentPrincipal) -> FeedbackSummary:
    return await feedback.summary(session, principal=principal, event_id=event_id)


@router.post(
    EVENT + "/highlights",
    status_code=status.HTTP_201_CREATED,
    summary="Post a highlight of a held event (organisers): it stays on the community's page",
)
async def post_highlight(
    event_id: str, body: HighlightCreate, session: SessionDep, principal: CurrentPrincipal
) -> HighlightPublic:
    posted = await highlights.post(session, principal=principal, event_id=event_id, data=body)
    await session.commit()
    return posted
