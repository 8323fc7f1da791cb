"""The badge code: a pure codec, tested without a database.

Properties: any payload round-trips; any single changed bit of the 79 signed bytes, or any
changed character of the code, is refused; another fair's key refuses; truncated, oversized,
garbage and non-canonical text is refused — always with ``CodeError``, never anything else.
"""

import base64
import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from badges import codec

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PRIVATE = codec.new_private_key()
PUBLIC = codec.public_key_of(PRIVATE)
OTHER_PUBLIC = codec.public_key_of(codec.new_private_key())
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
RAW_SIZE = codec.PAYLOAD_SIZE + codec.SIGNATURE_SIZE  # 79


def day(days: int) -> dt.date:
    return codec.EPOCH + dt.timedelta(days=days)


@st.composite
def payloads(draw) -> codec.Payload:
    first = draw(st.integers(0, 0xFFFF))
    return codec.Payload(
        fair_id=draw(st.integers(0, 2**32 - 1)),
        serial=base64.b32encode(draw(st.binary(min_size=5, max_size=5))).decode(),
        kind=draw(st.sampled_from(sorted(codec.KIND_NUMBERS))),
        valid_from=day(first),
        valid_until=day(draw(st.integers(first, 0xFFFF))),
    )


SAMPLE = codec.Payload(
    fair_id=42,
    serial="ABCDEFGH",
    kind="exhibitor",
    valid_from=dt.date(2025, 12, 3),
    valid_until=dt.date(2025, 12, 5),
)
SAMPLE_CODE = codec.encode(SAMPLE, PRIVATE)


def raw_of(code: str) -> bytes:
    return base64.b32decode(code + "=" * (-len(code) % 8))


def code_of(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def refused(text, key=PUBLIC) -> bool:
    """True when decode refuses with CodeError; any other exception fails the test."""
    try:
        codec.decode(text, key)
    except codec.CodeError:
        return True
    return False


# --- Round trip and shape -------------------------------------------------------------------


def test_a_code_is_127_characters_of_the_qr_alphanumeric_set():
    assert len(SAMPLE_CODE) == codec.CODE_LENGTH == 127
    assert set(SAMPLE_CODE) <= set(ALPHABET)
    assert len(raw_of(SAMPLE_CODE)) == RAW_SIZE


def test_the_same_badge_gives_the_same_code():
    assert codec.encode(SAMPLE, PRIVATE) == SAMPLE_CODE


@PROPERTY
@given(payload=payloads())
def test_any_payload_round_trips(payload):
    code = codec.encode(payload, PRIVATE)
    assert len(code) == codec.CODE_LENGTH
    assert codec.decode(code, PUBLIC) == payload


@PROPERTY
@given(payload=payloads())
def test_another_fairs_key_refuses_any_code(payload):
    assert refused(codec.encode(payload, PRIVATE), OTHER_PUBLIC)


def test_lower_case_spaces_and_dashes_are_read_as_the_code():
    spaced = "-".join(SAMPLE_CODE[i : i + 8] for i in range(0, 127, 8)).lower()
    assert codec.decode(f"  {spaced}\n", PUBLIC) == SAMPLE


# --- Any change is refused ------------------------------------------------------------------


@PROPERTY
@given(payload=payloads(), bit=st.integers(0, RAW_SIZE * 8 - 1))
@example(payload=SAMPLE, bit=0)
@example(payload=SAMPLE, bit=RAW_SIZE * 8 - 1)
def test_flipping_any_bit_of_the_signed_bytes_is_refused(payload, bit):
    raw = bytearray(raw_of(codec.encode(payload, PRIVATE)))
    raw[bit // 8] ^= 1 << (bit % 8)
    assert refused(code_of(bytes(raw)))


def test_every_single_bit_of_one_code_matters():
    """Exhaustive for one code: all 632 bits."""
    raw = raw_of(SAMPLE_CODE)
    for bit in range(RAW_SIZE * 8):
        altered = bytearray(raw)
        altered[bit // 8] ^= 1 << (bit % 8)
        assert refused(code_of(bytes(altered))), bit


@PROPERTY
@given(payload=payloads(), position=st.integers(0, codec.CODE_LENGTH - 1), data=st.data())
@example(payload=SAMPLE, position=codec.CODE_LENGTH - 1, data=None)
def test_changing_any_character_of_the_code_is_refused(payload, position, data):
    code = codec.encode(payload, PRIVATE)
    others = [c for c in ALPHABET if c != code[position]]
    # The last character carries 2 bits and 3 bits base32 ignores: every other letter must
    # still be refused (a second spelling of one code would look like a new scan).
    replacements = others if data is None else [data.draw(st.sampled_from(others))]
    for replacement in replacements:
        assert refused(code[:position] + replacement + code[position + 1 :])


def test_every_character_of_one_code_matters():
    """Exhaustive for one code: 127 positions × 31 other letters."""
    for position in range(codec.CODE_LENGTH):
        for replacement in ALPHABET:
            if replacement != SAMPLE_CODE[position]:
                assert refused(SAMPLE_CODE[:position] + replacement + SAMPLE_CODE[position + 1 :])


def test_a_payload_signed_by_another_key_is_refused():
    forged = codec.encode(SAMPLE, codec.new_private_key())
    assert refused(forged)


def test_a_payload_with_another_signature_is_refused():
    other = codec.encode(codec.Payload(**{**SAMPLE.__dict__, "fair_id": 43}), PRIVATE)
    spliced = code_of(raw_of(SAMPLE_CODE)[: codec.PAYLOAD_SIZE] + raw_of(other)[codec.PAYLOAD_SIZE :])
    assert refused(spliced)


# --- Malformed text -------------------------------------------------------------------------


@PROPERTY
@given(length=st.integers(0, codec.CODE_LENGTH - 1))
def test_any_truncated_code_is_refused(length):
    assert refused(SAMPLE_CODE[:length])
    assert refused(SAMPLE_CODE[codec.CODE_LENGTH - length :])


@PROPERTY
@given(extra=st.text(alphabet=ALPHABET, min_size=1, max_size=600))
def test_a_code_with_anything_appended_is_refused(extra):
    assert refused(SAMPLE_CODE + extra)
    assert refused(extra + SAMPLE_CODE)


@pytest.mark.parametrize("size", [codec.MAX_CODE_LENGTH, codec.MAX_CODE_LENGTH + 1, 100_000, 1_000_000])
def test_oversized_text_is_refused(size):
    assert refused("A" * size)
    assert refused((SAMPLE_CODE * (size // 127 + 1))[:size])


@PROPERTY
@given(text=st.text(max_size=300))
@example(text="")
@example(text="\x00" * 127)
@example(text="=" * 127)
@example(text=SAMPLE_CODE + "=")
@example(text="https://example.ma/badge/ABCDEFGH")
@example(text="\ud800")
def test_garbage_text_is_refused_with_code_error_only(text):
    try:
        payload = codec.decode(text, PUBLIC)
    except codec.CodeError:
        return
    # The only texts that decode are spellings of a real signed code.
    assert codec.encode(payload, PRIVATE) == codec.normalize(text)


@PROPERTY
@given(raw=st.binary(min_size=RAW_SIZE, max_size=RAW_SIZE))
def test_random_79_bytes_are_refused(raw):
    assert refused(code_of(raw))


@pytest.mark.parametrize("value", [None, 127, b"A" * 127, ["A"] * 127, 12.5])
def test_a_value_that_is_not_text_is_refused(value):
    assert refused(value)


@PROPERTY
@given(trailing=st.integers(1, 7))
def test_non_canonical_trailing_bits_are_refused(trailing):
    """127 characters carry 635 bits for 632: the 3 spare bits must be zero."""
    last = ALPHABET.index(SAMPLE_CODE[-1])
    assert last & 0b111 == 0  # the canonical spelling has them at zero
    non_canonical = SAMPLE_CODE[:-1] + ALPHABET[last | trailing]
    assert non_canonical != SAMPLE_CODE
    assert refused(non_canonical)


@pytest.mark.parametrize(
    ("field", "value"),
    [("version", 2), ("version", 0), ("kind", 0), ("kind", 6), ("kind", 255)],
)
def test_a_signed_payload_of_an_unknown_version_or_kind_is_refused(field, value):
    """Even correctly signed: a format this codec does not know is not read."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    values = {"version": 1, "fair": 42, "serial": b"12345", "kind": 1, "first": 2000, "last": 2002}
    values[field] = value
    signed = codec._PAYLOAD.pack(
        values["version"], values["fair"], values["serial"], values["kind"], values["first"], values["last"]
    )
    signature = Ed25519PrivateKey.from_private_bytes(PRIVATE).sign(signed)
    assert refused(code_of(signed + signature))


def test_dates_outside_the_format_are_refused_when_encoding():
    with pytest.raises(codec.CodeError):
        codec.encode(codec.Payload(**{**SAMPLE.__dict__, "valid_from": dt.date(2019, 12, 31)}), PRIVATE)
    with pytest.raises(codec.CodeError):
        codec.encode(codec.Payload(**{**SAMPLE.__dict__, "valid_until": day(0x10000)}), PRIVATE)
    with pytest.raises(codec.CodeError):
        codec.encode(codec.Payload(**{**SAMPLE.__dict__, "kind": "juror"}), PRIVATE)


# --- Serials --------------------------------------------------------------------------------


@PROPERTY
@given(st.data())
def test_a_new_serial_looks_like_a_serial_and_a_code_does_not(data):
    serial = codec.new_serial()
    assert codec.looks_like_serial(serial)
    assert not codec.looks_like_serial(SAMPLE_CODE)
    assert not codec.looks_like_serial(serial[:-1])
    assert not codec.looks_like_serial(serial.lower())  # normalize first
    assert codec.looks_like_serial(codec.normalize(f" {serial[:4].lower()}-{serial[4:]} "))
