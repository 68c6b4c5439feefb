"""ocop-catalog: turn OCOP product records into a multilingual static catalog."""

__version__ = "0.1.0"
