from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paperfeed.core import preflight
from paperfeed.core.progress import progress_reporter
from paperfeed.digests import sending
from paperfeed.digests.models import Delivery, Subscription


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must look like 2026-11-26; got {text!r}", returncode=2) from None


class Command(BaseCommand):
    help = (
        "E-mail digests. `digest send --period daily|weekly [--date D]` sends every due subscriber "
        "the digest of the period containing D (default: the latest complete period — yesterday, or "
        "last week) once; run it hourly from cron, re-run it after any failure. "
        "`digest resolve` settles deliveries held after a crash; `digest bounce` stops mail to an address. "
        "Exit codes: 0 all delivered, 1 something failed or is held (see the output), 2 bad arguments."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{send,resolve,bounce}")
        send = sub.add_parser("send", help="send the due digests of one period")
        send.add_argument("--period", choices=["daily", "weekly"], required=True)
        send.add_argument("--date", help="any day of the period (YYYY-MM-DD); default: the latest complete period")
        send.add_argument("--dry-run", action="store_true", help="write .eml files instead of sending (needs --out)")
        send.add_argument("--out", help="directory for --dry-run's .eml files")
        resolve = sub.add_parser("resolve", help="settle deliveries held as uncertain after a crash")
        resolve.add_argument("ids", nargs="+", type=int, help="delivery ids, as `digest send` lists them")
        how = resolve.add_mutually_exclusive_group(required=True)
        how.add_argument("--sent", action="store_true", help="the subscriber got it: mark it sent")
        how.add_argument("--resend", action="store_true", help="queue it again (same Message-ID)")
        bounce = sub.add_parser("bounce", help="record a hard bounce: no more mail to this address")
        bounce.add_argument("email")
        bounce.add_argument("--reason", default="hard bounce reported by the operator")

    def handle(self, *args, action: str, **options):
        preflight.migrate()
        if action == "send":
            return self._send(options)
        if action == "resolve":
            changed = sending.resolve(options["ids"], mark_sent=options["sent"])
            self.stdout.write(
                f"{changed} held deliver{'y' if changed == 1 else 'ies'} "
                + ("marked sent" if options["sent"] else "queued again; run `digest send` for their period")
            )
            return
        updated = Subscription.objects.filter(email__iexact=options["email"]).exclude(
            status=Subscription.Status.BOUNCED
        )
        count = updated.update(status=Subscription.Status.BOUNCED, end_reason=options["reason"][:300])
        if not count:
            raise CommandError(f"no active subscription for {options['email']}", returncode=1)
        self.stdout.write(f"{options['email']}: marked bounced, no further digests")

    def _send(self, options):
        day = _day(options["date"]) if options.get("date") else None
        if options["dry_run"]:
            if not options.get("out"):
                raise CommandError("--dry-run needs --out DIR", returncode=2)
            written = sending.write_dry_run(options["period"], day, Path(options["out"]))
            self.stdout.write(f"wrote {len(written)} message(s) to {options['out']}")
            return
        with progress_reporter() as report:
            result = sending.send_digests(options["period"], day, progress=report)
        self.stdout.write(
            f"{result.period_key}: {result.due} due, {result.sent} sent, {result.empty} with nothing to send, "
            f"{result.already_done} already done"
            + (f", {result.requeued} re-queued after a crashed run" if result.requeued else "")
            + (
                f", {result.resent} re-sent after their sender died while handing them to SMTP (same Message-ID)"
                if result.resent
                else ""
            )
        )
        for line in result.rejected:
            self.stdout.write(f"bounced: {line}")
        for line in result.failed:
            self.stderr.write(f"failed: {line}")
        why = (
            "PAPERFEED_DIGEST_UNCERTAIN=hold"
            if sending.uncertain_policy() == "hold"
            else f"all {sending.MAX_ATTEMPTS} attempts used"
        )
        for row in result.uncertain:
            self.stderr.write(
                f"held: delivery {row.pk} to {row.subscription.email} — {row.last_error} (held: {why}). "
                f"If it arrived: paperfeed digest resolve {row.pk} --sent; else: --resend"
            )
        if result.stopped_early:
            self.stderr.write(result.stopped_early)
        if not result.ok:
            raise CommandError("some digests were not delivered (see above); re-run after fixing", returncode=1)
