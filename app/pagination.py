"""Links for the GOV.UK pagination component, used by every paged list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def pagination(current: int, pages: int, url: Callable[[int], str]) -> dict[str, Any] | None:
    """Previous/next links and the page numbers to show (None when everything fits on one page).

    Shows the first and last pages and the current one with its neighbours; each gap becomes
    one ellipsis item (number None). Rendered by templates/macros/pagination.html.
    """
    if pages <= 1:
        return None
    numbers: list[int | None] = []
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - current) <= 1:
            numbers.append(number)
        elif numbers and numbers[-1] is not None:
            numbers.append(None)
    return {
        "previous": url(current - 1) if current > 1 else None,
        "next": url(current + 1) if current < pages else None,
        "items": [
            {"number": n, "href": url(n) if n else None, "current": n == current} for n in numbers
        ],
    }
