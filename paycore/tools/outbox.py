"""``paycore outbox``: the gateway's notifications as an operator sees them; parked ones sent again.

A notification whose retry schedule ran out, or whose URL can never be reached, is *parked* (the
dead-letter queue) rather than retried for ever. This command lists what is waiting and what is
parked in a ``paycore serve`` data directory -- it reads the database directly, so it works while
the server runs -- and ``--retry EVENT_ID`` (or ``--retry-all``) puts parked messages back on the
schedule, due at once: the running server's notifier picks them up within a second.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("--data-dir", default="paycore-data", help="the data directory of paycore serve")
    parser.add_argument(
        "--database",
        default=os.environ.get("PAYCORE_DATABASE_URL"),
        metavar="URL",
        help="the PostgreSQL database of paycore serve --database "
        "(default: $PAYCORE_DATABASE_URL, else SQLite)",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--retry", metavar="EVENT_ID", help="send this parked notification again")
    action.add_argument("--retry-all", action="store_true", help="send every parked notification again")


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def run(args: argparse.Namespace) -> int:
    """List the outbox, or move parked messages back onto the schedule."""
    from paycore.payment.runtime import datadir
    from paycore.payment.runtime.stores import open_party_store

    path = Path(args.data_dir) / "gateway.sqlite3"
    if args.database is None and not path.is_file():
        raise ValueError(
            f"{path} does not exist: give the --data-dir of a gateway that has run (paycore serve)"
        )
    try:
        store = open_party_store("gateway", Path(args.data_dir), args.database)
    except datadir.STARTUP_ERRORS as exc:
        raise datadir.describe(exc, Path(args.data_dir)) from None
    try:
        if args.retry or args.retry_all:
            moved = store.retry_parked(None if args.retry_all else args.retry, time.time())
            if args.retry and not moved:
                raise ValueError(f"no parked notification has the event id {args.retry!r}")
            print(f"{moved} parked notification(s) due again now")
            return 0
        pending, parked = store.pending_messages(), store.parked_messages()
        print(f"waiting: {len(pending)}")
        for message in pending:
            when = _when(message["next_attempt_at"])
            print(
                f"  {message['event_id']}  attempts {message['attempts']}  next {when} UTC  {message['url']}"
            )
            print(f"      last: {message['last_result'] or '-'}")
        print(f"parked (dead letters): {len(parked)}")
        for message in parked:
            print(f"  {message['event_id']}  {message['merchant_id']}  attempts {message['attempts']}")
            print(f"      {message['url']}")
            print(f"      last: {message['last_result'] or '-'}")
        if parked:
            print("send one again with: paycore outbox --retry EVENT_ID (or --retry-all)")
        return 0
    finally:
        store.close()
