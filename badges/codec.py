"""The badge code: a compact payload signed with the fair's Ed25519 key. Pure, no database.

Layout (15 bytes, big-endian), then the 64-byte Ed25519 signature over those 15 bytes:

    version u8 | fair id u32 | serial 5 bytes | kind u8 | valid from u16 | valid until u16

Dates are days since 2020-01-01. The 79 bytes are written in RFC 4648 base32 without padding
(127 characters, A–Z and 2–7): every character is in the QR code's alphanumeric set, which
packs 5.5 bits per character against 8 in byte mode, so the QR stays at version 7 (45 × 45
modules) — readable from a printed card at arm's length. The same format is decoded and
verified in the scanner's JavaScript (static/badges/scanner.js) for offline scanning.

A badge's *serial* is the base32 spelling of its 5 random bytes (8 characters), printed under
the QR code so a gate can type it when a code will not scan.
"""

import base64
import datetime as dt
import secrets
import struct
from dataclasses import dataclass

FORMAT_VERSION = 1
EPOCH = dt.date(2020, 1, 1)
SERIAL_BYTES = 5
SERIAL_LENGTH = 8  # base32 characters for 5 bytes
_PAYLOAD = struct.Struct(">BI5sBHH")
PAYLOAD_SIZE = _PAYLOAD.size  # 15
SIGNATURE_SIZE = 64
CODE_LENGTH = 127  # base32 of 79 bytes, padding dropped
MAX_CODE_LENGTH = 512  # anything longer is refused before any decoding work

# Kind numbers are part of the wire format: never renumber.
KIND_NUMBERS = {"exhibitor": 1, "staff": 2, "press": 3, "visitor": 4, "vip": 5}
KIND_NAMES = {number: name for name, number in KIND_NUMBERS.items()}

_BASE32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


class CodeError(ValueError):
    """The text is not a well-formed badge code (or its signature does not verify)."""


@dataclass(frozen=True)
class Payload:
    fair_id: int
    serial: str
    kind: str
    valid_from: dt.date
    valid_until: dt.date
    version: int = FORMAT_VERSION

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until


def new_serial() -> str:
    return base64.b32encode(secrets.token_bytes(SERIAL_BYTES)).decode("ascii")


def normalize(text: str) -> str:
    """What a scanner or a person typed, as the code alphabet: upper case, no spaces or dashes."""
    return "".join(text.split()).replace("-", "").upper()


def looks_like_serial(text: str) -> bool:
    return len(text) == SERIAL_LENGTH and set(text) <= _BASE32_ALPHABET


def _days(day: dt.date) -> int:
    days = (day - EPOCH).days
    if not 0 <= days <= 0xFFFF:
        raise CodeError("date out of range")
    return days


def pack(payload: Payload) -> bytes:
    if payload.kind not in KIND_NUMBERS:
        raise CodeError("unknown kind")
    serial = base64.b32decode(payload.serial)
    if len(serial) != SERIAL_BYTES:
        raise CodeError("bad serial")
    return _PAYLOAD.pack(
        payload.version, payload.fair_id, serial, KIND_NUMBERS[payload.kind],
        _days(payload.valid_from), _days(payload.valid_until),
    )  # fmt: skip


def unpack(raw: bytes) -> Payload:
    if len(raw) != PAYLOAD_SIZE:
        raise CodeError("bad payload size")
    version, fair_id, serial, kind, valid_from, valid_until = _PAYLOAD.unpack(raw)
    if version != FORMAT_VERSION:
        raise CodeError("unknown format version")
    if kind not in KIND_NAMES:
        raise CodeError("unknown kind")
    return Payload(
        version=version, fair_id=fair_id, serial=base64.b32encode(serial).decode("ascii"),
        kind=KIND_NAMES[kind], valid_from=EPOCH + dt.timedelta(days=valid_from),
        valid_until=EPOCH + dt.timedelta(days=valid_until),
    )  # fmt: skip


def new_private_key() -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes_raw()


def public_key_of(private_key: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


def encode(payload: Payload, private_key: bytes) -> str:
    """The signed code for ``payload``. Ed25519 is deterministic: the same badge, the same code."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = pack(payload)
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(raw)
    return base64.b32encode(raw + signature).decode("ascii").rstrip("=")


def split(code: str) -> tuple[Payload, bytes, bytes]:
    """Parse without verifying: (payload, signed bytes, signature). Raises CodeError."""
    if not isinstance(code, str) or len(code) > MAX_CODE_LENGTH:
        raise CodeError("too long")
    code = normalize(code)
    if len(code) != CODE_LENGTH or not set(code) <= _BASE32_ALPHABET:
        raise CodeError("not a badge code")
    try:
        raw = base64.b32decode(code + "=" * (-len(code) % 8))
    except ValueError as error:  # binascii.Error is a ValueError
        raise CodeError("not base32") from error
    if len(raw) != PAYLOAD_SIZE + SIGNATURE_SIZE:
        raise CodeError("bad length")
    if base64.b32encode(raw).decode("ascii").rstrip("=") != code:
        # Trailing bits that base32 ignores: two spellings of one code would let a copy
        # dodge the nonce and look new. Only the canonical spelling is accepted.
        raise CodeError("non-canonical")
    signed, signature = raw[:PAYLOAD_SIZE], raw[PAYLOAD_SIZE:]
    return unpack(signed), signed, signature


def verify(signed: bytes, signature: bytes, public_key: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, signed)
    except (InvalidSignature, ValueError):
        return False
    return True


def decode(code: str, public_key: bytes) -> Payload:
    """The payload of a code signed by ``public_key``'s private half, or CodeError."""
    payload, signed, signature = split(code)
    if not verify(signed, signature, public_key):
        raise CodeError("bad signature")
    return payload
