"""Certificate codes: random, unguessable, and easy to read aloud or type from paper.

The alphabet leaves out characters people confuse on paper or on screen
(0/O, 1/I/L), so any code a verifier types is either exact or clearly wrong.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "PMA"
GROUPS = 5
GROUP_LENGTH = 4
BODY_LENGTH = GROUPS * GROUP_LENGTH
# 20 symbols from 31 carry log2(31) * 20 ≈ 99 bits, above the 80 bits we promise.
CODE_LENGTH = len(PREFIX) + BODY_LENGTH + GROUPS  # the dashes
_ALPHABET_SET = frozenset(ALPHABET)


def code_generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return _format(body)


def code_normalise(raw: str) -> str | None:
    """Return the canonical form of a typed code, or None when it cannot be one.

    Case, spaces, dashes and the `PMA` prefix are optional when typing.
    """
    if not isinstance(raw, str) or len(raw) > 4 * CODE_LENGTH:
        return None
    compact = "".join(ch for ch in raw.upper() if ch not in " -\t\r\n_.")
    if compact.startswith(PREFIX) and len(compact) == len(PREFIX) + BODY_LENGTH:
        compact = compact[len(PREFIX) :]
    if len(compact) != BODY_LENGTH or not set(compact) <= _ALPHABET_SET:
        return None
    return _format(compact)


def _format(body: str) -> str:
    groups = [body[i : i + GROUP_LENGTH] for i in range(0, BODY_LENGTH, GROUP_LENGTH)]
    return "-".join([PREFIX, *groups])
