"""The committed event catalogue (docs/events) is fresh, complete, and says what the code does."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from deploy.processes import SERVICES
from shared.events import REGISTRY, EventData, RejectedEvent, new_event, parse_event
from shared.events.catalogue import main
from shared.events.schemas.livestream import PollOptionCount
from shared.events.schemas.matching import SuggestedProvider

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"
TYPES = sorted(REGISTRY.types)

# A valid and a wrongly typed value for each payload field annotation in use. The wrong ones are
# wrong for pydantic's lax parsing too (it takes "3" for an int and a Unix time for a datetime).
SAMPLES: dict[Any, tuple[Any, Any]] = {
    str: ("sample", 42),
    int: (3, "three"),
    datetime: (datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), ["2025-01-02"]),
    datetime | None: (datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), ["2025-01-02"]),
    list[str]: (["tea", "fruit"], "tea"),
    int | None: (3, "three"),
    date: (date(2025, 1, 2), ["2025-01-02"]),
    str | None: ("sample", 42),
    bool: (True, ["yes"]),
    list[PollOptionCount]: ([{"option_id": "o1", "label": "烘焙", "category": "culture", "votes": 3}], "many"),
    list[SuggestedProvider]: ([{"provider_id": "p1", "offering_id": "o1", "name": "陪诊", "rating": 4.5}], "many"),
}


def files_under(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    return yaml.safe_load((DOCS / "asyncapi.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def index() -> dict[str, dict[str, str]]:
    """README table rows by event type."""
    lines = [line for line in (DOCS / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [dict(zip(header, (c.strip() for c in line.strip("|").split(" | ")), strict=True)) for line in lines[2:]]
    return {row["Type"].strip("`"): row for row in rows}


def schema_of(event_type: str) -> dict[str, Any]:
    schema = REGISTRY.types[event_type]
    return json.loads((DOCS / "schemas" / f"{event_type}.v{schema.version}.json").read_text(encoding="utf-8"))


def sample_payload(schema: type[EventData]) -> tuple[dict[str, Any], dict[str, Any]]:
    good, bad = {}, {}
    for name, field in schema.model_fields.items():
        if field.annotation not in SAMPLES:
            pytest.fail(f"{schema.__name__}.{name}: add a sample for {field.annotation} to SAMPLES")
        good[name], bad[name] = SAMPLES[field.annotation]
    return good, bad


def consumers_from_handlers() -> dict[str, set[str]]:
    consumed: dict[str, set[str]] = {t: set() for t in TYPES}
    for service in SERVICES:
        for event_type in importlib.import_module(f"services.{service}.app").spec().handlers.by_type:
            consumed[event_type].add(service)
    return consumed


def test_committed_catalogue_is_fresh(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0
    fresh, committed = files_under(tmp_path), files_under(DOCS)
    stale = sorted(name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name))
    assert not stale, f"docs/events is out of date with the event schemas ({', '.join(stale)}): run `make catalogue`"


def test_generation_is_deterministic(tmp_path: Path) -> None:
    main([str(tmp_path / "a")])
    main([str(tmp_path / "b")])
    assert files_under(tmp_path / "a") == files_under(tmp_path / "b")


@pytest.mark.parametrize("event_type", TYPES)
def test_every_type_has_a_schema_and_a_channel(event_type: str, asyncapi: dict[str, Any]) -> None:
    schema = schema_of(event_type)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"]
    assert schema["description"] == REGISTRY.types[event_type].summary
    assert asyncapi["channels"][event_type]["address"] == event_type
    assert asyncapi["asyncapi"].startswith("3.")
    message = next(iter(asyncapi["channels"][event_type]["messages"].values()))["$ref"].rsplit("/", 1)[1]
    headers = asyncapi["components"]["messages"][message]["headers"]["$ref"].rsplit("/", 1)[1]
    assert set(asyncapi["components"]["schemas"][headers]["required"]) == {"Nats-Msg-Id", "Linli-Correlation-Id"}


@pytest.mark.parametrize("event_type", TYPES)
def test_schema_validates_real_events(event_type: str) -> None:
    schema = REGISTRY.types[event_type]
    validator = jsonschema.Draft202012Validator(
        schema_of(event_type), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    good, bad = sample_payload(schema)
    event = new_event(schema(**good), subject="agg-1", community_id="c-1", actor_id="u-1")
    document = json.loads(event.model_dump_json())
    validator.validate(document)

    for name, wrong in bad.items():
        broken = {**document, "data": {**document["data"], name: wrong}}
        assert not validator.is_valid(broken), f"{event_type} schema accepts {name}={wrong!r}"
        with pytest.raises(RejectedEvent):  # and the consumers' parser agrees with the schema
            parse_event(json.dumps(broken))

    added = {**document, "data": {**document["data"], "added_later": 1}}
    assert validator.is_valid(added), "an additive change must stay valid (tolerant reader)"
    for envelope_field, other in {"type": "other.thing.happened", "version": schema.version + 1}.items():
        assert not validator.is_valid({**document, envelope_field: other})
    assert not validator.is_valid({k: v for k, v in document.items() if k != "correlation_id"})


def test_publishers_and_consumers_agree_with_handlers(
    index: dict[str, dict[str, str]], asyncapi: dict[str, Any]
) -> None:
    consumed = consumers_from_handlers()
    assert sorted(index) == TYPES
    operations: dict[tuple[str, str], set[str]] = {}
    for operation in asyncapi["operations"].values():
        event_type = operation["channel"]["$ref"].removeprefix("#/channels/")
        (service,) = (tag["name"] for tag in operation["tags"])
        operations.setdefault((event_type, operation["action"]), set()).add(service)

    for event_type in TYPES:
        row, publisher = index[event_type], event_type.split(".", 1)[0]
        assert publisher in SERVICES, f"{event_type} is named after no service"
        assert row["Publisher"] == publisher
        assert row["Stream"] == publisher.upper()
        assert operations[(event_type, "send")] == {publisher}
        listed = set() if row["Consumers"] == "—" else set(row["Consumers"].split(", "))
        assert listed == consumed[event_type], f"{event_type} consumers"
        assert operations.get((event_type, "receive"), set()) == consumed[event_type]
