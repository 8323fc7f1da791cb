"""``manage.py expire_offers``: expire overdue offers and promote the waitlist (cron, every 15 min)."""

from django.core.management.base import BaseCommand

from registrations.services import offers_expire


class Command(BaseCommand):
    help = (
        "Expire every offer whose confirmation deadline has passed, and offer the freed places "
        "to the next artisans on each fair's waitlist (who are mailed). Safe to run at any time "
        "and as often as you like: an offer expires once. Meant for cron every 15 minutes; "
        "see docs/cron.md."
    )

    def handle(self, *args, **options):
        expired = offers_expire()
        if options["verbosity"] >= 1:
            noun = "offer" if expired == 1 else "offers"
            self.stdout.write(f"{expired} {noun} expired.")
