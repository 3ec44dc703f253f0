"""A partnership's life: aims, check-ins, completion and impact."""
