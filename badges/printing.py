"""A fair's badges as one PDF, drawn in the background while staff watch it progress.

All badges of a 2,000-exhibitor fair take a few seconds to draw (bench/README.md, "Badge
PDFs"), longer with many photos or a busy server: long enough that a page which just waits
looks broken, and a gate organizer on a slow link may give up. DESIGN asks long work to show
progress, so the staff page starts a ``BadgePrint`` and shows "412 of 2,000 badges", then the
download.

- ``badge_print_start`` checks there is something to print, records the print and starts
  drawing it in a thread of the process that took the request (``SOUK_BADGE_PRINT_INLINE``
  draws it at once instead: tests, and servers that do not keep threads);
- ``badge_print_run`` draws it with ``badges_pdf``, writing the progress to the row at most
  twice a second, and the file to ``SOUK_PRINTS_DIR`` (private: badges carry names and photos);
- a print whose progress has not moved for ``STALLED_AFTER`` (its worker restarted) is shown
  as stopped, with a button to start again. Prints and their files older than ``KEPT_FOR``
  are removed when a new one starts.

The state lives in the database, so any worker can show the progress of a print another
worker draws; the file lives on the server's disk, shared by its workers.
"""

import datetime as dt
import logging
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from badges.models import BadgeKind, BadgePrint
from badges.pdf import LAYOUTS, badges_filename, badges_pdf, fair_badges
from badges.services import BadgeError
from fairs.models import Fair

logger = logging.getLogger(__name__)

STALLED_AFTER = dt.timedelta(minutes=2)
KEPT_FOR = dt.timedelta(days=1)
PROGRESS_EVERY = 0.5  # seconds between two writes of the progress


def print_path(job: BadgePrint) -> Path:
    return Path(settings.SOUK_PRINTS_DIR) / f"{job.pk}.pdf"


def print_filename(job: BadgePrint) -> str:
    return badges_filename(job.fair, job.layout, job.kind)


def is_stalled(job: BadgePrint, now: dt.datetime | None = None) -> bool:
    if job.status not in (BadgePrint.Status.WAITING, BadgePrint.Status.DRAWING):
        return False
    last = job.progressed_at or job.requested_at
    return (now or timezone.now()) - last > STALLED_AFTER


def _forget_old(now: dt.datetime) -> None:
    for job in BadgePrint.objects.filter(requested_at__lt=now - KEPT_FOR):
        print_path(job).unlink(missing_ok=True)
        job.delete()


def badge_print_start(*, fair: Fair, layout: str, kind: str = "", actor=None) -> BadgePrint:
    """Record a print of ``fair``'s valid badges (of one ``kind``, or all) and start drawing it."""
    if layout not in LAYOUTS:
        raise BadgeError(code="layout_invalid", field="layout", message=_("Choose cards or A4 sheets."))
    if kind and kind not in BadgeKind.values:
        raise BadgeError(code="kind_invalid", field="kind", message=_("Unknown kind of badge."))
    total = fair_badges(fair, kind).count()
    if not total:
        raise BadgeError(code="nothing_to_print", message=_("There is no valid badge to print."))
    now = timezone.now()
    _forget_old(now)
    job = BadgePrint.objects.create(
        id=uuid.uuid4(),
        fair=fair,
        kind=kind,
        layout=layout,
        requested_by=actor,
        total=total,
        progressed_at=now,
    )
    language = translation.get_language()
    if settings.SOUK_BADGE_PRINT_INLINE:
        badge_print_run(job.pk, language=language)
    else:
        threading.Thread(
            target=_in_thread, args=(job.pk, language), name=f"badge-print-{job.pk}", daemon=True
        ).start()
    job.refresh_from_db()
    return job


def _in_thread(pk, language: str | None) -> None:
    try:
        badge_print_run(pk, language=language)
    finally:
        connection.close()  # this thread's own connection
        close_old_connections()


def badge_print_run(pk, *, language: str | None = None) -> None:
    """Draw the print ``pk`` (labels in ``language``), keeping its progress and its outcome."""
    job = BadgePrint.objects.select_related("fair").get(pk=pk)
    BadgePrint.objects.filter(pk=pk).update(status=BadgePrint.Status.DRAWING, progressed_at=timezone.now())
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY or done == total:
            last[0] = time.monotonic()
            BadgePrint.objects.filter(pk=pk).update(
                done=min(done, total), total=total, progressed_at=timezone.now()
            )

    try:
        with translation.override(language):
            content = badges_pdf(fair_badges(job.fair, job.kind), layout=job.layout, progress=progress)
        path = print_path(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(path)  # a download never sees half a file
    except BadgeError as exc:
        _failed(pk, str(exc.message))
    except Exception:
        logger.exception("badge print %s failed", pk)
        _failed(pk, str(_("The PDF could not be drawn; try again, or tell the delegation's IT staff.")))
    else:
        BadgePrint.objects.filter(pk=pk).update(status=BadgePrint.Status.READY, progressed_at=timezone.now())


def _failed(pk, message: str) -> None:
    BadgePrint.objects.filter(pk=pk).update(status=BadgePrint.Status.FAILED, error=message[:300])


__all__ = ["badge_print_run", "badge_print_start", "is_stalled", "print_filename", "print_path"]
