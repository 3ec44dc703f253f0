"""CSV exports for coordinators: posts, suggestions, partnerships and impact."""
