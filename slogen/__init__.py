"""slogen: SLO specs in, a proven monitoring bundle out."""

__version__ = "0.1.0"
