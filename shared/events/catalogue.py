"""The published event catalogue, generated from the registry: never edit docs/events by hand.

    python -m shared.events.catalogue docs/events      (or `make catalogue`)

writes `schemas/<type>.v<version>.json` (JSON Schema 2020-12 of the whole envelope, `data` being
that type's payload), `asyncapi.yaml` (AsyncAPI 3.0: one channel per type, `send` by the publisher,
`receive` by each consumer) and `README.md` (the index). Publishers come from the type's prefix
(`orders.deal.published` is published by orders, on stream ORDERS); consumers are the services
whose `EventHandlers` handle the type. Output is deterministic, so a test can compare it.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from collections.abc import Sequence
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import yaml

from shared.bus.outbox import CORRELATION_HEADER
from shared.events import REGISTRY, Event, EventData
from shared.events.registry import stream_of
from shared.settings import ServiceSettings

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:linli:events:{type}:v{version}"
HEADERS = {
    "type": "object",
    "required": ["Nats-Msg-Id", CORRELATION_HEADER],
    "properties": {
        "Nats-Msg-Id": {"type": "string", "description": "The event id; JetStream drops a re-published id."},
        CORRELATION_HEADER: {"type": "string", "description": "The envelope's correlation_id."},
    },
}


def schema_file(schema: type[EventData]) -> str:
    return f"schemas/{schema.event_type}.v{schema.version}.json"


def publisher_of(event_type: str) -> str:
    return event_type.split(".", 1)[0]


def consumers() -> dict[str, list[str]]:
    """Event type → the services that handle it, read from each service's `spec().handlers`."""
    import services

    found: dict[str, list[str]] = {t: [] for t in REGISTRY.types}
    for module in sorted(m.name for m in pkgutil.iter_modules(services.__path__) if m.ispkg):
        spec = importlib.import_module(f"services.{module}.app").spec()
        for type_ in spec.handlers.by_type:
            found[type_].append(spec.name)
    return {t: sorted(names) for t, names in sorted(found.items())}


def event_schema(schema: type[EventData], ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
    """The envelope carrying `schema`, with type, version and source pinned to this event's."""
    doc = Event[schema].model_json_schema(ref_template=ref_template)  # type: ignore[valid-type]
    doc["title"], doc["description"] = f"{schema.event_type} v{schema.version}", schema.summary
    pinned = {"type": schema.event_type, "version": schema.version, "source": publisher_of(schema.event_type)}
    for field, value in pinned.items():
        doc["properties"][field]["const"] = value
    return doc


def json_schema(schema: type[EventData]) -> dict[str, Any]:
    doc = event_schema(schema)
    return {"$schema": JSON_SCHEMA, "$id": SCHEMA_ID.format(type=schema.event_type, version=schema.version), **doc}


def asyncapi(consumed: dict[str, list[str]]) -> dict[str, Any]:
    nats_url = ServiceSettings.model_fields["nats_url"].default
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Headers": HEADERS}
    for type_, schema in sorted(REGISTRY.types.items()):
        message_id = f"{type_}.v{schema.version}"
        publisher, stream = publisher_of(type_), stream_of(type_)
        payload = event_schema(schema, ref_template="#/components/schemas/{model}")
        for name, definition in payload.pop("$defs", {}).items():
            if schemas.setdefault(name, definition) != definition:
                raise ValueError(f"two payload schemas are named {name}; rename one")
        messages[message_id] = {
            "name": type_,
            "title": schema.__name__,
            "summary": schema.summary,
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/Headers"},
            "correlationId": {"location": f"$message.header#/{CORRELATION_HEADER}"},
            "payload": payload,
        }
        channel_ref = {"$ref": f"#/channels/{type_}"}
        message_ref = {"$ref": f"#/channels/{type_}/messages/{message_id}"}
        channels[type_] = {
            "address": type_,
            "description": f"{schema.summary} Stream {stream}.",
            "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
        }
        operations[f"{publisher}.send.{type_}"] = {
            "action": "send",
            "channel": channel_ref,
            "summary": f"{publisher} publishes {type_} through its transactional outbox.",
            "tags": [{"name": publisher}],
            "messages": [message_ref],
        }
        for service in consumed[type_]:
            operations[f"{service}.receive.{type_}"] = {
                "action": "receive",
                "channel": channel_ref,
                "summary": f"{service} consumes {type_} (durable pull consumer {service} on stream {stream}).",
                "tags": [{"name": service}],
                "messages": [message_ref],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Linli events",
            "version": package_version("linli"),
            "description": "Events the Linli services exchange over NATS JetStream. Generated by `make catalogue`.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": nats_url.removeprefix("nats://"),
                "protocol": "nats",
                "description": "The nats-server of `make run`; elsewhere LINLI_NATS_URL.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def readme(consumed: dict[str, list[str]]) -> str:
    lines = [
        "# Event catalogue",
        "",
        "Generated from `shared/events/schemas` by `make catalogue`; do not edit by hand.",
        "The NATS subject of an event is its type; each publishing service has one stream (`<service>.>`),",
        "and each consuming service one durable pull consumer per stream, named after itself.",
        f"Every message carries the headers `Nats-Msg-Id` (the event id) and `{CORRELATION_HEADER}`.",
        "Machine-readable: [asyncapi.yaml](asyncapi.yaml) and the JSON Schemas in [schemas/](schemas/).",
        "",
        "| Type | Version | Stream | Publisher | Consumers | Summary | Schema |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for type_, schema in sorted(REGISTRY.types.items()):
        cells = [
            f"`{type_}`",
            str(schema.version),
            stream_of(type_),
            publisher_of(type_),
            ", ".join(consumed[type_]) or "—",
            schema.summary.replace("|", "\\|"),
            f"[{Path(schema_file(schema)).name}]({schema_file(schema)})",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def render() -> dict[str, str]:
    """Relative path → content of every file of the catalogue."""
    consumed = consumers()
    files = {
        schema_file(s): json.dumps(json_schema(s), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        for s in REGISTRY.types.values()
    }
    files["asyncapi.yaml"] = yaml.dump(
        asyncapi(consumed), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120
    )
    files["README.md"] = readme(consumed)
    return dict(sorted(files.items()))


def write(out: Path) -> None:
    files = render()
    for stale in (out / "schemas").glob("*.json"):
        if f"schemas/{stale.name}" not in files:
            stale.unlink()
    for name, content in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(content, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m shared.events.catalogue OUT_DIR", file=sys.stderr)
        return 2
    write(Path(args[0]))
    print(f"wrote the catalogue of {len(REGISTRY.types)} event types to {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
