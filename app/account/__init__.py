"""A person's own account: download their data, delete their account."""
