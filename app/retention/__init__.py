"""Retention: old closed posts and finished partnerships lose their words, keep their figures."""
