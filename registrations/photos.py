"""Photos an artisan adds: product photos on the profile, photos attached to an application.

The images given here are already checked and resized (see the forms); these services
enforce how many there may be and when, lock the owner row, and write the audit entry.
A deleted photo's file leaves the storage once the transaction commits.
"""

import uuid

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.services import audit_log
from registrations.models import Application, ApplicationPhoto, Artisan, ProductPhoto
from registrations.services import RegistrationError

MAX_PRODUCT_PHOTOS = 8
MAX_APPLICATION_PHOTOS = 4
EDITABLE_STATUSES = (Application.Status.DRAFT, Application.Status.SUBMITTED)


def _named(image: File, prefix: str) -> File:
    """A fresh, unguessable file name: uploads keep nothing of the phone's own name."""
    extension = (image.name or "").rsplit(".", 1)[-1].lower() if "." in (image.name or "") else "jpg"
    image.name = f"{prefix}-{uuid.uuid4().hex[:12]}.{extension}"
    return image


def _delete_file_on_commit(field_file) -> None:
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def product_photo_add(
    *, artisan: Artisan, image: File, caption: str = "", actor: User | None
) -> ProductPhoto:
    """Add a product photo to a profile (at most ``MAX_PRODUCT_PHOTOS``); writes
    ``artisan.product_photo_add``."""
    artisan = Artisan.objects.select_for_update().get(pk=artisan.pk)
    if artisan.product_photos.count() >= MAX_PRODUCT_PHOTOS:
        raise RegistrationError(
            code="too_many_photos",
            message=_("A profile holds at most %(count)s product photos: delete one first.")
            % {"count": MAX_PRODUCT_PHOTOS},
            field="image",
        )
    photo = ProductPhoto(
        artisan=artisan, image=_named(image, f"artisan{artisan.pk}"), caption=caption.strip()
    )
    photo.full_clean(exclude=["image"])
    photo.save()
    audit_log(actor=actor, action="artisan.product_photo_add", obj=artisan, changes={"photo": photo.pk})
    return photo


@transaction.atomic
def product_photo_delete(*, photo: ProductPhoto, actor: User | None) -> None:
    """Delete a product photo and, after commit, its file; writes ``artisan.product_photo_delete``."""
    artisan = Artisan.objects.select_for_update().get(pk=photo.artisan_id)
    photo = ProductPhoto.objects.select_for_update().get(pk=photo.pk, artisan=artisan)
    _delete_file_on_commit(photo.image)
    pk = photo.pk
    photo.delete()
    audit_log(actor=actor, action="artisan.product_photo_delete", obj=artisan, changes={"photo": pk})


def _locked_editable(application: Application) -> Application:
    application = Application.objects.select_for_update().select_related("fair").get(pk=application.pk)
    if application.status not in EDITABLE_STATUSES:
        raise RegistrationError(
            code="not_editable", message=_("A decided application can no longer be edited.")
        )
    if not application.fair.is_call_open():
        raise RegistrationError(code="deadline_passed", message=_("The application deadline has passed."))
    return application


@transaction.atomic
def application_photos_change(
    *,
    application: Application,
    add: list[File] = (),
    remove: list[ApplicationPhoto] = (),
    actor: User | None,
) -> Application:
    """Add and remove an application's photos (at most ``MAX_APPLICATION_PHOTOS`` in all),
    while the application may still be edited; writes ``application.photos``."""
    if not add and not remove:
        return application
    application = _locked_editable(application)
    remove_ids = {photo.pk for photo in remove}
    removed = list(application.photos.select_for_update().filter(pk__in=remove_ids))
    kept = application.photos.exclude(pk__in=remove_ids).count()
    if kept + len(add) > MAX_APPLICATION_PHOTOS:
        raise RegistrationError(
            code="too_many_photos",
            message=_("An application holds at most %(count)s photos.") % {"count": MAX_APPLICATION_PHOTOS},
            field="photos",
        )
    for photo in removed:
        _delete_file_on_commit(photo.image)
        photo.delete()
    added = [
        ApplicationPhoto.objects.create(
            application=application, image=_named(image, f"application{application.pk}")
        )
        for image in add
    ]
    audit_log(
        actor=actor,
        action="application.photos",
        obj=application,
        changes={"added": [p.pk for p in added], "removed": sorted(p.pk for p in removed)},
    )
    return application
