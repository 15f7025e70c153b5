"""carepool: joint commissioning of health and social care, to the penny."""

__version__ = "0.1.0"
