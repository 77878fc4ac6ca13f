"""Python client for the Cohesity Helios v2 REST API."""

__version__ = "1.0.0"
