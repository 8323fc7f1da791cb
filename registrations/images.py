"""Uploaded pictures (profile photos, product photos, application photos), checked and resized.

``clean_image`` is the one door for every image an artisan or staff member uploads:

    from registrations.images import clean_image

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if isinstance(upload, UploadedFile):
            return clean_image(upload)          # ContentFile, ready for an ImageField
        return upload

It refuses (``ValidationError``, so a form shows it under the field):

- ``image_too_big``: more bytes than ``max_bytes`` (checked before anything is decoded);
- ``not_an_image``: anything Pillow cannot open and verify (text, PDF, SVG, a truncated file);
- ``image_too_many_pixels``: more than ``max_pixels`` pixels (a small file that would expand
  into a huge bitmap — a "decompression bomb").

What it returns is a new JPEG: turned upright from the camera's EXIF orientation, at most
``max_side`` pixels on its long side (never enlarged), transparency flattened on white, and
with no metadata left (phone photos carry the place they were taken). The name is random,
so the original file name (which may hold a person's name) is not kept.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 800
MAX_IMAGE_PIXELS = 40_000_000
JPEG_QUALITY = 85
# What the file inputs offer; the check itself is Pillow's, not the browser's.
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


def clean_image(
    upload,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_side: int = MAX_IMAGE_SIDE,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> ContentFile:
    """Check an uploaded image and return it resized as a JPEG ``ContentFile`` (see the module)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    size = getattr(upload, "size", None)
    if size is None or size > max_bytes:
        raise ValidationError(
            _("The image is too big (%(size)s); the limit is %(limit)s."),
            code="image_too_big",
            params={"size": filesizeformat(size or 0), "limit": filesizeformat(max_bytes)},
        )
    not_an_image = ValidationError(
        _("This file is not an image we can read. Upload a JPEG or PNG photo."), code="not_an_image"
    )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise ValidationError(
                    _("The image has too many pixels (%(width)s × %(height)s)."),
                    code="image_too_many_pixels",
                    params={"width": width, "height": height},
                )
            probe.verify()  # checks the structure; the image cannot be used after this
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            image = _flatten(image)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise not_an_image from exc
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _flatten(image):
    """JPEG has no transparency and no palette: paste on white, convert to RGB."""
    from PIL import Image

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image
