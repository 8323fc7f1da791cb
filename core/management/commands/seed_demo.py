"""``manage.py seed_demo``: load the demo region (idempotent, DEBUG only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.demo import DemoContext, demo_modules


class Command(BaseCommand):
    help = (
        "Load the demo region: venues, past and upcoming fairs, exhibitions and one user per role. "
        "Running it again changes nothing. Refuses to run unless DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            default="",
            help="Comma-separated app labels to seed (with the apps they need first), e.g. core,fairs.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo runs only with DEBUG on: the demo users have known passwords, so they "
                "must never reach a production database. Use DEBUG=1 on a local or demo database."
            )
        only = {label.strip() for label in options["only"].split(",") if label.strip()}
        modules = [m for m in demo_modules() if not only or m.__name__.split(".")[0] in only]
        with transaction.atomic():
            ctx = DemoContext.start()
            for module in modules:
                for part in module.PARTS:
                    part(ctx)
        if options["verbosity"] < 1:
            return
        self.print_summary(ctx, modules)
        self.print_logins(ctx)

    def print_summary(self, ctx: DemoContext, modules) -> None:
        created = +ctx.created  # drops the zero counts
        if created:
            made = ", ".join(f"{n} {label}" for label, n in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo region loaded: created {made}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo region already loaded: nothing to create."))
        rows = [row for module in modules if hasattr(module, "summary") for row in module.summary(ctx)]
        width = max((len(label) for label, _value in rows), default=0)
        for label, value in rows:
            self.stdout.write(f"  {label.ljust(width)}  {value}")

    def print_logins(self, ctx: DemoContext) -> None:
        if not ctx.logins:
            return
        header = ("login", "password", "roles", "language")
        table = [header] + [(x.username, x.password, x.roles, x.language) for x in ctx.logins]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins (DEBUG only):"))
        for i, row in enumerate(table):
            line = "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(self.style.MIGRATE_LABEL(line) if i == 0 else line.rstrip())
        if not all(login.created for login in ctx.logins):
            self.stdout.write(
                "  The seed sets a password only when it creates the user: existing users keep theirs."
            )
