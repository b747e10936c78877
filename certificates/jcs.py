"""JSON Canonicalization Scheme (RFC 8785), the byte form eddsa-jcs-2022 signs.

Signing canonical bytes instead of the file as stored means whitespace and key
order in a credential can change without breaking the signature, while any change
to a value does break it.
"""

import json
import math
from decimal import Decimal
from typing import Any


def canonicalize(value: Any) -> bytes:
    return _serialize(value).encode("utf-8")


def _serialize(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        # Python's escaping with ensure_ascii=False matches ECMAScript's JSON.stringify:
        # only quote, backslash and control characters are escaped, as lower-case \u00xx.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_serialize(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("JSON object keys must be strings")
        # RFC 8785 orders members by their UTF-16 code units, not by code points.
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(f"{_serialize(key)}:{_serialize(value[key])}" for key in keys) + "}"
    raise TypeError(f"{type(value).__name__} is not JSON")


def _number(number: float) -> str:
    """Format a float as ECMAScript's Number.prototype.toString does (RFC 8785, 3.2.2.3)."""
    if math.isnan(number) or math.isinf(number):
        raise ValueError("NaN and Infinity are not JSON")
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    # repr gives the shortest digits that round-trip, which is what ECMAScript uses too.
    _sign, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + int(exponent)  # the value is 0.<digits> x 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + text
