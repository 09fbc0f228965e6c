"""Stage 3: validated specs → one frozen, normalised model that every target reads."""
from slogen.model.build import build_model
from slogen.model.types import Bundle, BurnWindow, Service, Settings, SLO, Threshold

__all__ = ["Bundle", "BurnWindow", "SLO", "Service", "Settings", "Threshold", "build_model"]
