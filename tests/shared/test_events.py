import pytest

from shared.correlation import Trace, bind_trace
from shared.events import REGISTRY, RejectedEvent, new_event, parse_event
from shared.events.schemas.orders import OrderPaid


def paid(**overrides: object) -> OrderPaid:
    fields = dict(
        order_id="o1",
        deal_id="d1",
        buyer_id="u1",
        product_id="p1",
        product_name="米粉",
        tags=["infant"],
        quantity=1,
        amount_fen=3990,
    )
    return OrderPaid(**{**fields, **overrides})  # type: ignore[arg-type]


def test_an_event_round_trips_with_its_typed_payload() -> None:
    event = new_event(paid(), subject="o1", community_id="c1", actor_id="u1")
    parsed = parse_event(event.model_dump_json())
    assert parsed == event
    assert isinstance(parsed.data, OrderPaid)
    assert (parsed.type, parsed.version, parsed.source) == ("orders.order.paid", 1, "orders")


def test_an_event_carries_the_current_correlation_and_causation() -> None:
    bind_trace(Trace(correlation_id="req-42", causation_id="evt-1"))
    event = new_event(paid(), subject="o1")
    assert (event.correlation_id, event.causation_id) == ("req-42", "evt-1")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe", "malformed envelope"),
        (b"[]", "malformed envelope"),
        (b'{"id": "x"}', "malformed envelope"),
    ],
)
def test_malformed_envelopes_are_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(RejectedEvent, match=reason):
        parse_event(raw)


def test_unknown_types_versions_and_bad_payloads_are_rejected() -> None:
    good = new_event(paid(), subject="o1").model_dump_json()
    with pytest.raises(RejectedEvent, match="unknown event type"):
        parse_event(good.replace("orders.order.paid", "orders.order.eaten"))
    with pytest.raises(RejectedEvent, match="unsupported version"):
        parse_event(good.replace('"version":1', '"version":9'))
    with pytest.raises(RejectedEvent, match="quantity"):
        parse_event(good.replace('"quantity":1', '"quantity":"one"'))
    with pytest.raises(RejectedEvent, match="cannot come from"):
        parse_event(good.replace('"source":"orders"', '"source":"catalog"'))
    with pytest.raises(RejectedEvent, match="amount_fen"):
        parse_event(good.replace('"amount_fen":3990', '"amount_fen":-1'))


def test_an_added_field_does_not_break_consumers() -> None:
    good = new_event(paid(), subject="o1").model_dump_json()
    parsed = parse_event(good.replace('"quantity":1', '"quantity":1,"added_later":true'))
    assert parsed.data == paid()


def test_every_type_belongs_to_the_stream_of_its_publisher() -> None:
    for stream, types in REGISTRY.streams().items():
        assert all(t.startswith(stream.lower() + ".") and t.count(".") == 2 for t in types)
    assert "orders.order.paid" in REGISTRY.streams()["ORDERS"]
