"""Identifiers as the warehouse keys them, and the hash the suppression list keeps of each.

An identifier is (id_type, id_value) as `marts.identity_map` holds it: `device_id`, `user_pin`, `union_id`,
`member_id` (`brand_id:member_id`), `phone_sha256` and `email_sha256` (hex SHA-256 of the E.164 phone, of the
trimmed lower-cased email: the same rules as the staging macros in macros/pii/hashing.sql). Its suppression
hash is the hex SHA-256 of `id_type:id_value`, so the list never holds a raw value, and a raw phone or email
is hashed twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache

from facetlake.crowds.registry import phone_sha256

ID_TYPES = ("device_id", "user_pin", "union_id", "member_id", "phone_sha256", "email_sha256")
# What a user may name on the command line or in a file, and the id_type each becomes.
REQUEST_KINDS = {
    "phone": "phone_sha256",
    "email": "email_sha256",
    "user_pin": "user_pin",
    "device_id": "device_id",
    "member_id": "member_id",
    "union_id": "union_id",
    "phone_sha256": "phone_sha256",
    "email_sha256": "email_sha256",
}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_MEMBER = re.compile(r"^[^:\s]+:[^:\s]+$")
# Identifier fields of a line that is not JSON (broken or cut short): "field": "value" or "field": 123.
_LOOSE_FIELD = re.compile(
    rb'"(device_id|user_pin|union_id|phone|email|phone_sha256|email_sha256|member_id|brand_id)"\s*:\s*'
    rb'(?:"((?:[^"\\]|\\.)*)"|(-?\d+))'
)


# staging's pseudonymize_identifier (macros/pii/hashing.sql): an account, device or member id that is an email
# or a phone leaves staging as its hash; one holding a phone or email inside as the hash of the whole value.
_WHOLE_EMAIL = re.compile(r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$")
_WHOLE_PHONE = re.compile(r"^\s*[+(]?[0-9][0-9 ()+-]{6,}$")
_EMAIL_INSIDE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+"
_MOBILE_INSIDE = r"([(]?([+]|00)?86[)]?[ -]*)?1[3-9][0-9]([ -]*[0-9]){8}"
_E164_INSIDE = r"[+][1-9]([ -]*[0-9]){7,14}"
_PII_INSIDE = re.compile(f"{_EMAIL_INSIDE}|(^|[^0-9])({_MOBILE_INSIDE}|{_E164_INSIDE})([^0-9]|$)")
PSEUDONYMIZED_TYPES = ("device_id", "user_pin", "union_id")


def pseudonymize(text: str) -> str:
    """An identifier value as staging's pseudonymize_identifier macro leaves it."""
    if _WHOLE_EMAIL.search(text):
        return f"email_sha256:{email_sha256(text)}"
    if _WHOLE_PHONE.search(text) and (hashed := phone_sha256(text)):
        return f"phone_sha256:{hashed}"
    if _PII_INSIDE.search(text):
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text


def variants(id_type: str, id_value: str) -> set[tuple[str, str]]:
    """An identifier as it may be keyed in the warehouse: as given, and as staging pseudonymizes it."""
    found = {(id_type, id_value)}
    if id_type in PSEUDONYMIZED_TYPES:
        found.add((id_type, pseudonymize(id_value)))
    elif id_type == "member_id" and ":" in id_value:
        brand, member = id_value.split(":", 1)
        found.add((id_type, f"{pseudonymize(brand)}:{pseudonymize(member)}"))
    return found


class IdentifierError(ValueError):
    """A requested identifier that cannot be one (the message says which and why, masked)."""


def email_sha256(text: str) -> str | None:
    return hashlib.sha256(text.strip().lower().encode("utf-8")).hexdigest() if "@" in text else None


def mask(value: str) -> str:
    """A value shown in messages: its first two characters and its length, never the whole of it."""
    return f"{value[:2]}…({len(value)} chars)" if len(value) > 2 else "…"


def normalise(kind: str, value: str) -> tuple[str, str]:
    """(id_type, id_value) of a requested identifier; IdentifierError when it cannot be one."""
    kind = kind.strip().lower().replace("-", "_")
    if kind not in REQUEST_KINDS:
        raise IdentifierError(f"unknown identifier kind {kind!r}; use one of {', '.join(REQUEST_KINDS)}")
    value = (value or "").strip()
    id_type = REQUEST_KINDS[kind]
    normalised: str | None
    if kind == "phone":
        normalised = phone_sha256(value)
    elif kind == "email":
        normalised = email_sha256(value)
    elif kind in ("phone_sha256", "email_sha256"):
        normalised = value.lower() if _HEX64.match(value.lower()) else None
    elif kind == "member_id":
        normalised = value if _MEMBER.match(value) else None
    else:
        normalised = value or None
    if not normalised:
        raise IdentifierError(f"{kind} {mask(value)} is not a valid {kind} (member ids are brand_id:member_id)")
    return id_type, normalised


def node_key(id_type: str, id_value: str) -> str:
    """The identity graph's key of an identifier (int_identifiers_registered.node_key)."""
    return f"{id_type}:{id_value}"


def suppression_hash(id_type: str, id_value: str) -> str:
    return hashlib.sha256(node_key(id_type, id_value).encode("utf-8")).hexdigest()


def _text(value: object) -> str | None:
    """A JSON field as staging reads it as text: strings and whole numbers; not objects, lists or booleans."""
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    return None


def _field_key(field: str, text: str) -> tuple[str, str] | None:
    """(id_type, id_value) of one raw field's text."""
    if field == "phone":
        hashed = phone_sha256(text)
        return ("phone_sha256", hashed) if hashed else None
    if field == "email":
        hashed = email_sha256(text)
        return ("email_sha256", hashed) if hashed else None
    if field in ("phone_sha256", "email_sha256"):
        low = text.lower()
        return (field, low) if _HEX64.match(low) else None
    return (field, text) if text else None


@lru_cache(maxsize=1 << 17)
def _field_hashes(field: str, text: str) -> tuple[str, ...]:
    # Cached: devices and accounts recur on many lines, and hashing dominates the cost of a line.
    key = _field_key(field, text)
    return tuple(suppression_hash(*k) for k in variants(*key)) if key else ()


_FIELDS = ("device_id", "user_pin", "union_id", "phone", "email", "phone_sha256", "email_sha256")


def line_hashes(line: bytes) -> list[str]:
    """Suppression hashes of the identifiers a raw line carries: parsed as JSON, else read loosely (a cut or
    broken line still names its fields). Invalid UTF-8 is replaced, as the sidecar reads it."""
    record: object
    try:
        record = json.loads(line.decode("utf-8"))
    except ValueError:  # also UnicodeDecodeError
        record = None
    if not isinstance(record, dict):  # broken JSON, or JSON that is not an object (quarantined with its text)
        record = {}
        for match in _LOOSE_FIELD.finditer(line):
            raw = match.group(2) if match.group(2) is not None else match.group(3)
            record[match.group(1).decode()] = raw.decode("utf-8", "replace")
    hashes = []
    for field in _FIELDS:
        value = record.get(field)
        if value is not None and (text := _text(value)):
            hashes += _field_hashes(field, text)
    member, brand = _text(record.get("member_id")), _text(record.get("brand_id"))
    if member and brand:
        hashes += _field_hashes("member_id", f"{brand}:{member}")
    return hashes
