"""The ``digest`` command: update, then render or send the due digests."""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Callable
from email import message_from_bytes
from email.policy import SMTP
from pathlib import Path

from fundmatch.cli.common import (
    Subparsers,
    allow_local_option,
    command,
    error,
    formatter,
    guard_from,
    load_registry,
    meaning_option,
    notice,
    now_from,
    print_json,
    progress,
    report_update,
)
from fundmatch.errors import FundmatchError

CRASH_HOOK = "FUNDMATCH_TEST_CRASH_AT"
"""Test hook: the digest run kills itself (SIGKILL) when it reaches the named step."""


@command
def _digest(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "digest",
        parents=[common],
        formatter_class=formatter,
        help="e-mail each subscriber the new and changed calls that match (dry run by default)",
        description=(
            "Update the store, then for each due subscription select the calls first seen since\n"
            "its last digest, the changes to calls already sent and the deadline reminders, and\n"
            "render one message per recipient. Without --send the messages are written as .eml\n"
            "files and nothing is sent or recorded. SMTP settings and credentials come from\n"
            "FUNDMATCH_SMTP_HOST, _PORT, _USER, _PASSWORD, _SECURITY and FUNDMATCH_MAIL_FROM.\n"
            "Exit code 1 when a message could not be delivered (it is retried on a later run)\n"
            "or when every source failed to update (the digest is still made from the store;\n"
            "when only some failed, a warning names them and the exit code stays 0)."
        ),
        epilog=(
            "examples:\n"
            "  fundmatch digest --config calls/digest.example.toml --no-update\n"
            "  fundmatch digest --config digest.toml --send      # from cron, once a day"
        ),
    )
    parser.add_argument("--config", type=Path, required=True, help="subscriptions TOML file")
    parser.add_argument("--send", action="store_true", help="send over SMTP and record it")
    parser.add_argument(
        "--outbox",
        type=Path,
        default=Path("digest-outbox"),
        help="folder for the .eml files of a dry run (default: ./digest-outbox)",
    )
    parser.add_argument("--no-update", action="store_true", help="do not update the store first")
    parser.add_argument(
        "--offline", action="store_true", help="update from the bundled snapshot, not the network"
    )
    parser.add_argument(
        "--registry",
        type=Path,
        help="a sources TOML file (default: $FUNDMATCH_REGISTRY, else the bundled registry)",
    )
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    allow_local_option(parser)
    meaning_option(parser)
    parser.set_defaults(func=_run_digest)


def _crash_hook() -> Callable[[str], None] | None:
    step = os.environ.get(CRASH_HOOK)
    if not step:
        return None

    def checkpoint(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))

    return checkpoint


def _run_digest(args: argparse.Namespace) -> int:
    from fundmatch.digest import DigestRun, load_subscriptions, plan_digests, run_digests
    from fundmatch.digest.run import not_due, store_ranker
    from fundmatch.mail import SmtpMailer, SmtpSettings, write_eml
    from fundmatch.store import Store

    now = now_from(args)
    subscriptions = load_subscriptions(args.config)
    sender = os.environ.get("FUNDMATCH_MAIL_FROM") or ""
    settings = None
    if args.send:
        if not sender:
            raise FundmatchError("FUNDMATCH_MAIL_FROM is not set: the sender address is needed")
        settings = SmtpSettings.from_env(os.environ)
    checkpoint = _crash_hook() or (lambda step: None)
    updated = 0
    with Store(args.db) as store:
        if not args.no_update:
            from fundmatch.update import update

            results = update(
                store, load_registry(args), now=now, offline=args.offline, guard=guard_from(args)
            )
            for result in results:
                if result.ok:
                    progress(f"{result.source}: {result.calls} calls, {result.new} new")
            updated = report_update(results, each=True)
        from fundmatch.ranking import snapshot_line, snapshot_only

        if snapshot_only(store):
            notice(f"the digest is made from the {snapshot_line(now)}")
        checkpoint("after-update")
        ranker = store_ranker(store, meaning=args.meaning, say=progress)
        if settings is None:
            dry_sender = sender or "digest@fundmatch.invalid"
            waiting = not_due(store, subscriptions, now=now)
            planned = plan_digests(store, subscriptions, sender=dry_sender, now=now, ranker=ranker)
            written = [
                write_eml(args.outbox, message_from_bytes(p.message, policy=SMTP))
                for p in planned
                if p.message is not None
            ]
            empty = len(planned) - len(written)
            if args.json:
                print_json(
                    {
                        "dry_run": True,
                        "written": [str(p) for p in written],
                        "not_due": waiting,
                        "nothing_new": empty,
                    }
                )
            else:
                for path in written:
                    print(f"written  {path}")
                line = f"{len(written)} message(s) written to {args.outbox}; nothing sent"
                print(DigestRun(not_due=waiting, nothing_new=empty).summary(line))
            return updated
        mailer = SmtpMailer(settings)
        run = run_digests(
            store,
            subscriptions,
            mailer,
            sender=sender,
            now=now,
            ranker=ranker,
            checkpoint=checkpoint,
        )
    if args.json:
        print_json(run.model_dump(mode="json"))
    else:
        for r in run.results:
            print(f"{r.state:<8} {r.recipient}  {r.subject}  ({r.delivery.reply})")
        print(run.summary())
    if run.stopped:
        error(f"stopped sending: {run.stopped}")
    return 1 if run.failed or run.stopped or updated else 0
