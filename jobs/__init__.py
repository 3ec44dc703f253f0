"""Background work, outside the web process: job functions, their schedule, the scheduler."""
