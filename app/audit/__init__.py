"""The audit log: every coordinator decision with who, when and why."""
