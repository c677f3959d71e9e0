from datetime import UTC, datetime, timedelta

from services.matching.interests.rules import decayed, topic_map, topics_of_tags
from services.matching.recommendations.rules import PER_KIND, Candidate, Neighbours, Profile, rank, similarity

NOW = datetime(2026, 11, 25, tzinfo=UTC)
OLD = NOW - timedelta(days=30)


def test_a_purchase_says_its_tags_and_the_topics_they_suggest() -> None:
    weights = topics_of_tags(["infant"])
    assert weights["infant"] == 1.0
    assert set(topic_map()["infant"]) <= set(weights)
    assert all(weights[t] < weights["infant"] for t in topic_map()["infant"])


def test_interest_halves_every_thirty_days() -> None:
    assert decayed(2.0, NOW, NOW) == 2.0
    assert abs(decayed(2.0, NOW - timedelta(days=30), NOW) - 1.0) < 1e-9


def test_content_match_wins_and_says_why() -> None:
    profile = Profile(weights={"parenting": 0.6}, seeds={"parenting": "婴儿米粉"})
    talk = Candidate("session", "s1", "辅食讲座", frozenset({"parenting"}), OLD)
    unrelated = Candidate("session", "s2", "书法课", frozenset({"culture"}), OLD)
    [only] = rank([talk, unrelated], profile, now=NOW, limit=10)
    assert only.id == "s1"
    assert (only.reason.type, only.reason.seed, only.reason.text) == (
        "bought_related",
        "婴儿米粉",
        "because you bought 婴儿米粉",
    )


def test_a_new_resident_gets_what_neighbours_buy_and_what_is_new() -> None:
    empty = Profile(weights={}, seeds={})
    popular = Candidate("deal", "d1", "草莓", frozenset({"fruit"}), OLD, takers=12)
    fresh = Candidate("deal", "d2", "土鸡蛋", frozenset(), NOW - timedelta(hours=1))
    first, second = rank([fresh, popular], empty, now=NOW, limit=10)
    assert (first.id, first.reason.text) == ("d1", "12 neighbours bought this")
    assert (second.id, second.reason.type) == ("d2", "new")


def test_no_kind_crowds_out_the_others() -> None:
    profile = Profile(weights={"fruit": 1.0}, seeds={"fruit": "苹果"})
    deals = [Candidate("deal", f"d{i}", "水果", frozenset({"fruit"}), OLD) for i in range(10)]
    talk = Candidate("session", "s", "营养课", frozenset({"fruit"}), OLD)
    ranked = rank([*deals, talk], profile, now=NOW, limit=20)
    assert sum(r.kind == "deal" for r in ranked) == PER_KIND
    assert "s" in [r.id for r in ranked]


def test_one_topic_does_not_fill_the_list() -> None:
    profile = Profile(weights={"housekeeping": 1.0, "culture": 0.6}, seeds={"housekeeping": "x", "culture": "y"})
    cleaners = [
        Candidate("service", f"c{i}", "保洁", frozenset({"housekeeping"}), OLD, topic="housekeeping") for i in range(6)
    ]
    calligraphy = Candidate("event", "e", "书法", frozenset({"culture"}), OLD, topic="culture")
    ranked = [r.id for r in rank([*cleaners, calligraphy], profile, now=NOW, limit=5)]
    assert "e" in ranked[:4], "a second interest gets a place before the fifth cleaner"


def test_neighbours_choices_and_a_need_say_so() -> None:
    profile = Profile(weights={"repair": 1.0}, seeds={"repair": "修水管"}, sources={"repair": "lead"})
    fixer = Candidate("service", "f", "水电维修", frozenset({"repair"}), OLD)
    market = Candidate("event", "m", "跳蚤市场", frozenset({"flea_market"}), OLD)
    neighbours = Neighbours(similar={"event:m": (0.9, "亲子运动会")})
    reasons = {r.id: r.reason for r in rank([fixer, market], profile, now=NOW, limit=5, neighbours=neighbours)}
    assert (reasons["f"].type, reasons["f"].seed, reasons["f"].text) == (
        "matches_your_need",
        "修水管",
        "you asked about 修水管",
    )
    assert (reasons["m"].type, reasons["m"].text) == (
        "neighbours_joined",
        "neighbours who chose 亲子运动会 also chose this",
    )
    assert similarity(2, 4, 4) == 0.5 and similarity(1, 0, 3) == 0.0
