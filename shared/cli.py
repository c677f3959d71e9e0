"""Operator commands that work on a service's own database, with the service's own settings.

    python -m shared.cli dead-letters list matching [--status dead|rejected|replayed|all]
    python -m shared.cli dead-letters replay matching 12

(`make dead-letters SERVICE=matching`.) The same operations are on every service's admin API:
`GET /admin/dead-letters`, `POST /admin/dead-letters/{id}/replay`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys

from shared.bus import deadletters
from shared.db import Database
from shared.errors import Problem
from shared.serve import SERVICES


async def _run(args: argparse.Namespace) -> int:
    spec = importlib.import_module(f"services.{args.service}.app").spec()
    db = Database(spec.settings.database_url)
    try:
        if args.action == "list":
            status = None if args.status == "all" else args.status
            for letter in await deadletters.list_dead_letters(db, status=status, limit=args.limit):
                print(json.dumps(letter.model_dump(mode="json", exclude={"payload"}), ensure_ascii=False))
            return 0
        try:
            print(json.dumps(await deadletters.replay(db, spec.handlers, args.id)))
        except Problem as problem:
            print(problem.detail, file=sys.stderr)
            return 1
        return 0
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.cli", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    letters = commands.add_parser("dead-letters", help="events a service could not apply")
    actions = letters.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list")
    listing.add_argument("service", choices=SERVICES)
    listing.add_argument("--status", default="dead", choices=["dead", "rejected", "replayed", "all"])
    listing.add_argument("--limit", type=int, default=100)
    replaying = actions.add_parser("replay")
    replaying.add_argument("service", choices=SERVICES)
    replaying.add_argument("id", type=int)
    return asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
