"""The small shared kernel: money, identifiers, periods, errors, clock."""
