"""Absolute URLs for emails, built from BASE_URL so jobs and commands can make them too."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on BASE_URL, built with or without a request (CLI, scheduler)."""
    base_url = current_app.config["BASE_URL"].rstrip("/")
    # A throwaway request on BASE_URL: url_for then uses its host, scheme and path prefix,
    # never the address of whatever request (if any) is being served.
    with current_app.test_request_context(base_url=base_url):
        return url_for(endpoint, _external=True, **values)
