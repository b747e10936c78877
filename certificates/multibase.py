"""Multibase and multicodec encodings used by Data Integrity proofs and Multikey.

`z` marks base58-btc (proof values, public keys), `u` marks base64url without
padding (the compressed bitstring of a status list).
"""

import base64

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {ch: i for i, ch in enumerate(_BASE58)}
# The multicodec prefix of an Ed25519 public key (0xed, varint-encoded).
ED25519_PUB_PREFIX = b"\xed\x01"


class MultibaseError(ValueError):
    pass


def base58btc_encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_BASE58[rest])
    return "1" * zeros + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for ch in text:
        if ch not in _BASE58_INDEX:
            raise MultibaseError("not base58-btc")
        number = number * 58 + _BASE58_INDEX[ch]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode_z(data: bytes) -> str:
    return "z" + base58btc_encode(data)


def decode_z(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise MultibaseError("expected a base58-btc multibase value (z…)")
    return base58btc_decode(text[1:])


def encode_u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_u(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("u"):
        raise MultibaseError("expected a base64url multibase value (u…)")
    body = text[1:]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise MultibaseError("not base64url") from exc


def ed25519_multikey(public_raw: bytes) -> str:
    return encode_z(ED25519_PUB_PREFIX + public_raw)


def ed25519_from_multikey(value: str) -> bytes:
    data = decode_z(value)
    if not data.startswith(ED25519_PUB_PREFIX) or len(data) != 34:
        raise MultibaseError("not an Ed25519 Multikey")
    return data[2:]
