"""Organisations, localities, populations, users, roles and access."""
