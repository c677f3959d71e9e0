import zlib
from datetime import datetime

from pydantic import Field

from shared.events.envelope import EventData, event_type


def default_display_name(user_id: str) -> str:
    """What a member is called until they choose a name (群昵称): the same everywhere, so a service
    that has not heard of a member yet (or reads an event from before names) shows what community does."""
    return f"邻居{zlib.crc32(user_id.encode()) % 10_000:04d}"


@event_type("community.community.created")
class CommunityCreated(EventData):
    """A community (小区) was created; its creator is its first leader."""

    community_id: str
    name: str
    leader_id: str


@event_type("community.member.joined")
class MemberJoined(EventData):
    """A person joined a community with a role (resident, leader…) and the name neighbours know them by."""

    community_id: str
    user_id: str
    role: str
    display_name: str | None = None  # added later: None in older events means default_display_name(user_id)


@event_type("community.member.renamed")
class MemberRenamed(EventData):
    """A member changed the name neighbours know them by in a community (群昵称, e.g. 3栋 王阿姨)."""

    community_id: str
    user_id: str
    display_name: str


@event_type("community.member.left")
class MemberLeft(EventData):
    """A member left a community (all their roles there): read models forget them."""

    community_id: str
    user_id: str


@event_type("community.member.removed")
class MemberRemoved(EventData):
    """A leader removed a member from a community (all their roles there). community refuses them at
    once; other services rely on this event to drop them from their read models."""

    community_id: str
    user_id: str
    removed_by: str


@event_type("community.member.role_granted")
class MemberRoleGranted(EventData):
    """A member was given a role in a community (moderator, property_manager; leader by an operator)."""

    community_id: str
    user_id: str
    role: str
    granted_by: str


@event_type("community.member.role_revoked")
class MemberRoleRevoked(EventData):
    """A member's role in a community was taken back; they stay a member with their other roles."""

    community_id: str
    user_id: str
    role: str
    revoked_by: str


@event_type("community.membership.requested")
class MembershipRequested(EventData):
    """A person asked to join a community without an invite code: its leaders (`recipient_ids`) decide."""

    request_id: str
    community_id: str
    user_id: str
    recipient_ids: list[str]


@event_type("community.membership.declined")
class MembershipDeclined(EventData):
    """A leader declined a request to join (an approval is a `community.member.joined`): tell the asker."""

    request_id: str
    community_id: str
    user_id: str


# --------------------------------------------------------------------------------------------
# Offline events (线下活动). `recipient_ids` name the people a notification is for, so the gateway
# can fill inboxes without asking community who signed up.


@event_type("community.event.published")
class OfflineEventPublished(EventData):
    """An organiser published an offline event (flea market, workshop…): members may sign up until
    `registration_closes_at`; `rrule` (RFC 5545) repeats it, e.g. a weekly class."""

    event_id: str
    community_id: str
    organiser_id: str
    title: str
    kind: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=0)
    fee_fen: int = Field(ge=0)
    rrule: str | None = None
    registration_closes_at: datetime


@event_type("community.event.updated")
class OfflineEventUpdated(EventData):
    """A published event's details changed (`changed` names the fields); everyone signed up is told."""

    event_id: str
    community_id: str
    changed: list[str]
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    recipient_ids: list[str]


@event_type("community.event.closed")
class OfflineEventClosed(EventData):
    """Sign-up for an event closed (its closing time passed, or an organiser closed it)."""

    event_id: str
    community_id: str
    seats_taken: int = Field(ge=0)
    waitlisted: int = Field(ge=0)


@event_type("community.event.held")
class OfflineEventHeld(EventData):
    """An organiser marked an event held: who came (`attended`) and who did not (`no_show_ids`)."""

    event_id: str
    community_id: str
    attended: int = Field(ge=0)
    no_show_ids: list[str]


@event_type("community.event.archived")
class OfflineEventArchived(EventData):
    """A held event was archived: its feedback and highlights stay, nothing else changes."""

    event_id: str
    community_id: str


@event_type("community.event.cancelled")
class OfflineEventCancelled(EventData):
    """An organiser cancelled an event; everyone signed up or waitlisted is told why."""

    event_id: str
    community_id: str
    title: str
    starts_at: datetime
    reason: str
    recipient_ids: list[str]


@event_type("community.event.registered")
class OfflineEventRegistered(EventData):
    """A member signed up (with `companions`, `seats` in all): `registered`, `awaiting_payment` (a seat
    held for an event with a fee, until `pay_by`: `fee_fen` per seat, paid through orders) or
    `waitlisted` at `waitlist_position`. A notice for the organiser."""

    registration_id: str
    event_id: str
    community_id: str
    organiser_id: str
    user_id: str
    status: str
    companions: int = Field(ge=0)
    seats: int = Field(ge=1)
    waitlist_position: int | None = None
    title: str = ""  # added later, with the fee: what the payment is for
    fee_fen: int = Field(default=0, ge=0)  # added later: per seat
    pay_by: datetime | None = None  # added later: awaiting_payment only, the seat is released after it


@event_type("community.registration.cancelled")
class RegistrationCancelled(EventData):
    """A member withdrew their sign-up (`was`: registered, awaiting_payment or waitlisted), or a seat
    held for payment was released unpaid at its `pay_by` (`reason` unpaid); a notice for the
    organiser. Seats it freed go to the waitlist in order (`community.registration.promoted`).
    `refund_fee`: a fee paid for it goes back (withdrawn before sign-up closed, or never accepted)."""

    registration_id: str
    event_id: str
    community_id: str
    organiser_id: str
    user_id: str
    was: str
    seats: int = Field(ge=1)
    reason: str = "withdrawn"  # added later: withdrawn | unpaid
    refund_fee: bool = False  # added later


@event_type("community.registration.promoted")
class RegistrationPromoted(EventData):
    """A seat freed up and the first on the waitlist got it (`registered`, or `awaiting_payment` for
    an event with a fee, held until `pay_by`): tell them."""

    registration_id: str
    event_id: str
    community_id: str
    organiser_id: str
    user_id: str
    status: str
    seats: int = Field(ge=1)
    title: str = ""  # added later, as for community.event.registered
    fee_fen: int = Field(default=0, ge=0)  # added later: per seat
    pay_by: datetime | None = None  # added later


@event_type("community.registration.confirmed")
class RegistrationConfirmed(EventData):
    """The fee of a seat held for payment was paid in time: the seat is the member's (`registered`)."""

    registration_id: str
    event_id: str
    community_id: str
    organiser_id: str
    user_id: str
    seats: int = Field(ge=1)


@event_type("community.event.checked_in")
class OfflineEventCheckedIn(EventData):
    """A participant was checked in at the door by an organiser or helper (`checked_in_by`)."""

    registration_id: str
    event_id: str
    community_id: str
    user_id: str
    checked_in_by: str


@event_type("community.event.reminder")
class OfflineEventReminder(EventData):
    """An event (or the next session of a recurring one) starts soon: remind everyone with a seat."""

    event_id: str
    community_id: str
    title: str
    place: str
    starts_at: datetime
    recipient_ids: list[str]


@event_type("community.event.announced")
class OfflineEventAnnounced(EventData):
    """An organiser's announcement to everyone with a seat at an event."""

    event_id: str
    community_id: str
    author_id: str
    message: str
    recipient_ids: list[str]


@event_type("community.event.feedback_posted")
class OfflineEventFeedbackPosted(EventData):
    """An attendee rated an event (1–5) after taking part."""

    feedback_id: str
    event_id: str
    community_id: str
    user_id: str
    rating: int = Field(ge=1, le=5)


@event_type("community.event.highlight_posted")
class OfflineEventHighlightPosted(EventData):
    """An organiser posted a highlight of an event (text, photos, a replay link) on the community's page."""

    highlight_id: str
    event_id: str
    community_id: str
    author_id: str
    text: str
    photos: list[str]
    replay_url: str | None = None


# --------------------------------------------------------------------------------------------
# Posted needs (居民需求): what residents need, by the directory's category, for demand aggregation.
# Nothing identifies the resident beyond the envelope's actor_id.


@event_type("community.need.posted")
class NeedPosted(EventData):
    """A resident posted a need (`visibility` community, or leaders only) in a category of the directory;
    `text` is what they wrote (matching matches it to providers' offerings and shows the matches only to
    the poster and the leaders)."""

    need_id: str
    community_id: str
    category: str
    urgency: str
    visibility: str
    text: str = ""


@event_type("community.need.seconded")
class NeedSeconded(EventData):
    """A neighbour said "me too" (我也需要) to a need; `seconds` counts them so far."""

    need_id: str
    community_id: str
    category: str
    seconds: int = Field(ge=1)


@event_type("community.need.closed")
class NeedClosed(EventData):
    """The poster closed a need as met."""

    need_id: str
    community_id: str
    category: str
    seconds: int = Field(ge=0)


# --------------------------------------------------------------------------------------------
# Item swaps (闲置交换)


@event_type("community.swap.posted")
class SwapPosted(EventData):
    """A resident offered an item to neighbours: `terms` free, swap (for `swap_for`) or price (`price_fen`)."""

    swap_id: str
    community_id: str
    owner_id: str
    title: str
    category: str
    terms: str
    swap_for: str | None = None
    price_fen: int | None = None


@event_type("community.swap.offer_made")
class SwapOfferMade(EventData):
    """A neighbour made an offer on an item: a notice for its owner."""

    offer_id: str
    swap_id: str
    community_id: str
    owner_id: str
    user_id: str


@event_type("community.swap.offer_accepted")
class SwapOfferAccepted(EventData):
    """The owner accepted an offer: the item is promised to `user_id` until both confirm the hand-over.
    Every other open offer is declined (one `community.swap.offer_declined` each)."""

    offer_id: str
    swap_id: str
    community_id: str
    owner_id: str
    user_id: str


@event_type("community.swap.offer_declined")
class SwapOfferDeclined(EventData):
    """An offer came to nothing (`reason`: another offer was accepted, or the post was removed): tell its maker."""

    offer_id: str
    swap_id: str
    community_id: str
    user_id: str
    reason: str


@event_type("community.swap.closed")
class SwapClosed(EventData):
    """Owner and taker both confirmed the hand-over: the post is closed."""

    swap_id: str
    community_id: str
    owner_id: str
    taker_id: str
    category: str


@event_type("community.swap.reported")
class SwapReported(EventData):
    """A member reported a post: it is hidden until a moderator restores or removes it (`recipient_ids`: the
    community's moderators and leaders)."""

    swap_id: str
    community_id: str
    reason: str
    recipient_ids: list[str]


@event_type("community.swap.moderated")
class SwapModerated(EventData):
    """A moderator decided on a post: `restored` (shown again) or `removed` (for good); the owner is told."""

    swap_id: str
    community_id: str
    owner_id: str
    decision: str
    note: str


# --------------------------------------------------------------------------------------------
# The community board (线上邻里中心)


@event_type("community.post.published")
class PostPublished(EventData):
    """A member posted on the community's board; an `announcement` (公告) is a leader's notice for everyone."""

    post_id: str
    community_id: str
    author_id: str
    kind: str


@event_type("community.post.commented")
class PostCommented(EventData):
    """A member commented on a post: a notice for its author (`author_id`)."""

    comment_id: str
    post_id: str
    community_id: str
    author_id: str
    user_id: str


@event_type("community.post.reported")
class PostReported(EventData):
    """A member reported a post: it is hidden until a moderator decides (`recipient_ids`: moderators and leaders)."""

    post_id: str
    community_id: str
    reason: str
    recipient_ids: list[str]


@event_type("community.post.moderated")
class PostModerated(EventData):
    """A moderator `restored` or `removed` a post; its author is told."""

    post_id: str
    community_id: str
    author_id: str
    decision: str
    note: str


@event_type("community.member.muted")
class MemberMuted(EventData):
    """A moderator muted a member on the board until `until` (they still read it)."""

    community_id: str
    user_id: str
    muted_by: str
    until: datetime
