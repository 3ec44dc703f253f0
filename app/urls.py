"""Absolute URLs for emails, built from BASE_URL so jobs and commands can make them too."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """The public address of an endpoint, with or without a request under way."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path
