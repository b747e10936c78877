"""Compare rendered HTML without caring how templates indent it."""

import re

_BETWEEN_TAGS = re.compile(r">\s+|\s+<")


def compact(page: str) -> str:
    """Collapse whitespace runs and drop whitespace next to tags."""
    collapsed = " ".join(page.split())
    return _BETWEEN_TAGS.sub(lambda m: m.group(0).strip(), collapsed)
