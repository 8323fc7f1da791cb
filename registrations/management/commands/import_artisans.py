"""``manage.py import_artisans FILE``: the registry from a CSV or XLSX file, with a progress bar.

Every row is checked before anything is written; one bad row refuses the whole file unless
``--skip-bad-rows``. Exit status 1 when nothing was imported because of problems (a wrong
header, bad rows), 0 otherwise. The columns: see ``registrations/imports.py`` or download
the template from the staff import page.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registrations.imports import ImportRefused, artisan_import


class Command(BaseCommand):
    help = (
        "Import artisans from a CSV (UTF-8, ; or , separated) or XLSX file. Rows are matched to "
        "registered artisans by CIN and update them; the others are created. Nothing is written "
        "if a row is bad, unless --skip-bad-rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="import the good rows and report the bad ones"
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file and count, write nothing")
        parser.add_argument("--user", help="username recorded as the author in the audit log")
        parser.add_argument(
            "--problems", type=int, default=50, metavar="N", help="how many problems to print (default 50)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = None
        if options["user"]:
            try:
                actor = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(_("No user named “%(name)s”.") % {"name": options["user"]}) from exc

        bar = ProgressBar(stream=getattr(self.stderr, "_out", sys.stderr), disable=options["no_progress"])
        try:
            report = artisan_import(
                source=path,
                actor=actor,
                skip_bad_rows=options["skip_bad_rows"],
                dry_run=options["dry_run"],
                progress=bar,
            )
        except ImportRefused as exc:
            raise CommandError(
                _("%(file)s refused, nothing imported: %(reason)s")
                % {"file": path.name, "reason": exc.message}
            ) from exc
        finally:
            bar.close()

        self.print_report(report, options["problems"])
        if report.file_refused:
            raise CommandError(
                _(
                    "%(count)s bad rows: nothing imported. Fix them, or run again with --skip-bad-rows "
                    "to import the good rows."
                )
                % {"count": report.refused}
            )

    def print_report(self, report, limit: int) -> None:
        write = self.stdout.write
        if report.dry_run:
            write(self.style.WARNING(_("Dry run: nothing was written.")))
        write(_("File: %(file)s (%(rows)s rows)") % {"file": report.filename, "rows": report.rows})
        for label, count in (
            (_("created"), report.created),
            (_("updated"), report.updated),
            (_("unchanged"), report.unchanged),
            (_("refused"), report.refused),
        ):
            write(f"  {label}: {count}")
        timing = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in report.seconds.items())
        write(f"  {timing}")
        if report.problems:
            write(_("Problems (%(count)s): row, column, reason") % {"count": len(report.problems)})
            for problem in report.problems[:limit]:
                write(f"  {problem.row}\t{problem.column or '-'}\t{problem.message}")
            if len(report.problems) > limit:
                write(
                    _("  … and %(count)s more (--problems N shows more).")
                    % {"count": len(report.problems) - limit}
                )
        if report.written and (report.created or report.updated):
            write(self.style.SUCCESS(_("Imported.")))
        elif report.written:
            write(_("Nothing to change."))


class ProgressBar:
    """The engine's ``progress(stage, done, total)`` as one tqdm bar per stage, on stderr."""

    def __init__(self, *, stream, disable: bool = False):
        self.stream, self.disable = stream, disable
        self.stage, self.bar = None, None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(
                total=total, desc=f"{stage:>8}", unit=" rows", file=self.stream, disable=self.disable
            )
        if total is not None and self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
