"""Absolute URLs for emails, built from BASE_URL so jobs and commands can make them too."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on BASE_URL, built with or without a request (CLI, scheduler)."""
    base_url = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        # Never the address of the request being served: links in emails use BASE_URL. The
        # path comes from url_for, so BASE_URL's own path prefix is replaced by the app's.
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
        prefix = urlsplit(base_url).path
        path = url_for(endpoint, **values)
        return origin + (path if path.startswith(prefix) else prefix + path)
    # A throwaway request on BASE_URL: url_for then uses its host, scheme and path prefix.
    with current_app.test_request_context(base_url=base_url):
        return url_for(endpoint, _external=True, **values)
