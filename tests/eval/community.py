"""A seeded synthetic community for `make eval`: services, events and deals, and residents with
hidden personas (young parents, carers of elderly parents, the health-minded, food-culture fans,
and noise) whose purchases, bookings and sign-ups follow their persona, more or less."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from shared.events.schemas.catalog import EndorsementAdded, ListingListed, OfferingCreated
from shared.events.schemas.community import OfflineEventPublished, OfflineEventRegistered
from shared.events.schemas.orders import BookingRequested, DealPublished, OrderPaid
from tests.matching.feed import Fact

COMMUNITY = "eval-community"
# Theme → (deal tags, service categories, event kinds). "everyday" is what everyone takes.
THEMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "parents": (["infant", "baby"], ["parenting", "tutoring", "interest_class"], ["sports_day", "workshop"]),
    "carers": (
        ["senior"],
        ["housekeeping", "clinic_escort", "elderly_home_adaptation", "elderly_care", "home_nursing"],
        [],
    ),
    "health": (["organic", "fruit"], ["health_consultation"], ["health_talk"]),
    "food": (["local_speciality", "seafood"], ["culture"], ["tasting", "culture"]),
    "everyday": (["vegetable", "meat", "staple"], ["repair", "haircut", "errands", "pet_care"], ["flea_market"]),
}
PERSONAS = {"parents": 0.25, "carers": 0.2, "health": 0.2, "food": 0.15, "noise": 0.2}
ON_PERSONA = 0.7  # how often a resident with a persona follows it


@dataclass(frozen=True)
class Item:
    kind: str  # deal | service | event
    id: str
    title: str
    theme: str
    prior: float  # how attractive it is to anyone whose theme it is
    tags: tuple[str, ...] = ()
    category: str = ""
    provider_id: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass
class Resident:
    id: str
    persona: str
    taken: list[tuple[Item, datetime]] = field(default_factory=list)


@dataclass
class Community:
    items: list[Item]
    residents: list[Resident]
    now: datetime

    def catalogue(self) -> list[Fact]:
        """The facts that make the items recommendable: deals published, offerings listed, events open."""
        facts: list[Fact] = []
        later = self.now + timedelta(days=30)
        for i, item in enumerate(self.items):
            if item.kind == "deal":
                facts.append(
                    Fact(
                        DealPublished(
                            deal_id=item.id,
                            community_id=COMMUNITY,
                            product_id=f"p-{item.id}",
                            product_name=item.title,
                            tags=list(item.tags),
                            price_fen=1000,
                            stock=100_000,
                            closes_at=later,
                        ),
                        subject=item.id,
                        community_id=COMMUNITY,
                    )
                )
            elif item.kind == "service":
                facts.append(Fact(offering_created(item), subject=item.id))
                listing = ListingListed(
                    listing_id=f"l-{item.id}",
                    provider_id=item.provider_id,
                    community_id=COMMUNITY,
                    from_state="trial",
                    reason="eval",
                )
                facts.append(Fact(listing, subject=listing.listing_id, community_id=COMMUNITY))
                if i % 7 == 0:
                    endorsement = EndorsementAdded(
                        endorsement_id=f"e-{item.id}",
                        provider_id=item.provider_id,
                        community_id=COMMUNITY,
                        leader_id="leader",
                        note="靠谱",
                    )
                    facts.append(Fact(endorsement, subject=endorsement.endorsement_id, community_id=COMMUNITY))
            else:
                facts.append(
                    Fact(
                        OfflineEventPublished(
                            event_id=item.id,
                            community_id=COMMUNITY,
                            organiser_id="leader",
                            title=item.title,
                            kind=item.category,
                            place="会所",
                            starts_at=later,
                            ends_at=later + timedelta(hours=2),
                            capacity=100_000,
                            fee_fen=0,
                            registration_closes_at=later,
                        ),
                        subject=item.id,
                        community_id=COMMUNITY,
                    )
                )
        return facts


def offering_created(item: Item) -> OfferingCreated:
    return OfferingCreated(
        offering_id=item.id,
        provider_id=item.provider_id,
        name=item.title,
        category=item.category,
        price_model="fixed",
        price_fen=5000,
        schedule=None,
        slot_minutes=60,
        capacity=1,
        status="active",
        free_cancellation_hours=24,
        late_cancellation_fee_fen=None,
        late_cancellation_fee_percent=None,
    )


def taking(resident: Resident, item: Item, at: datetime, n: int) -> Fact:
    """The event that says a resident took an item."""
    if item.kind == "deal":
        paid = OrderPaid(
            order_id=f"o-{resident.id}-{n}",
            deal_id=item.id,
            buyer_id=resident.id,
            product_id=f"p-{item.id}",
            product_name=item.title,
            tags=list(item.tags),
            quantity=1,
            amount_fen=1000,
        )
        return Fact(paid, subject=paid.order_id, community_id=COMMUNITY, actor_id=resident.id, at=at)
    if item.kind == "service":
        booked = BookingRequested(
            booking_id=f"b-{resident.id}-{n}",
            provider_id=item.provider_id,
            offering_id=item.id,
            community_id=COMMUNITY,
            kind="inquiry",
            starts_at=None,
            ends_at=None,
            note="",
            price_fen=None,
        )
        return Fact(booked, subject=booked.booking_id, community_id=COMMUNITY, actor_id=resident.id, at=at)
    registered = OfflineEventRegistered(
        registration_id=f"r-{resident.id}-{n}",
        event_id=item.id,
        community_id=COMMUNITY,
        organiser_id="leader",
        user_id=resident.id,
        status="registered",
        companions=0,
        seats=1,
    )
    return Fact(registered, subject=registered.registration_id, community_id=COMMUNITY, actor_id=resident.id, at=at)


def _items(rng: random.Random) -> list[Item]:
    items: list[Item] = []
    for theme, (tags, categories, kinds) in THEMES.items():
        boost = 3.0 if theme == "everyday" else 1.0
        for tag in tags:
            for i in range(4):
                items.append(Item("deal", f"d-{tag}-{i}", f"{tag} deal {i}", theme, boost / (i + 1), tags=(tag,)))
        for category in categories:
            for i in range(3):
                id_ = f"s-{category}-{i}"
                items.append(
                    Item(
                        "service",
                        id_,
                        f"{category} {i}",
                        theme,
                        boost / (i + 1),
                        category=category,
                        provider_id=f"pr-{id_}",
                    )
                )
        for kind in kinds:
            for i in range(3):
                items.append(Item("event", f"ev-{kind}-{i}", f"{kind} {i}", theme, boost / (i + 1), category=kind))
    for item in items:  # some items are simply more attractive than their neighbours
        object.__setattr__(item, "prior", item.prior * rng.uniform(0.5, 1.5))
    return items


def generate(*, residents: int = 2000, seed: int = 7, now: datetime | None = None) -> Community:
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    items = _items(rng)
    by_theme: dict[str, list[Item]] = {}
    for item in items:
        by_theme.setdefault(item.theme, []).append(item)
    people: list[Resident] = []
    for r in range(residents):
        persona = rng.choices(list(PERSONAS), weights=list(PERSONAS.values()))[0]
        resident = Resident(f"u{r:05d}", persona)
        count = rng.randint(5, 15)
        times = sorted(now - timedelta(days=rng.uniform(1, 365)) for _ in range(count))
        seen: set[str] = set()
        for n, at in enumerate(times):
            follows = persona != "noise" and rng.random() < ON_PERSONA
            pool = by_theme[persona] if follows else items
            if n == 0 and follows:  # a first order is how most residents arrive
                pool = [i for i in pool if i.kind == "deal"] or pool
            choices = [i for i in pool if i.id not in seen]
            if not choices:
                continue
            item = rng.choices(choices, weights=[i.prior for i in choices])[0]
            seen.add(item.id)
            resident.taken.append((item, at))
        people.append(resident)
    return Community(items, people, now)
