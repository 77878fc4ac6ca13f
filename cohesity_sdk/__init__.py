"""Python client for the Cohesity Helios v2 REST API."""

__version__ = "1.0.0"
#: Where the project lives: its source, its issues and, per release, its docs.
__url__ = "https://github.com/cohesity/cohesity-sdk"
