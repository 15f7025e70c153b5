"""The embedded demo consortium and the walk through the commissioning cycle."""
