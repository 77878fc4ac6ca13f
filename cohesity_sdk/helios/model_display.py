"""The methods through which notebooks, ``print()`` and tables reach the models' display.

IPython looks for ``_repr_html_`` and ``_repr_pretty_`` on the object it shows, ``print()``
calls ``__str__``, and list results offer ``to_records()`` and ``to_pandas()``; each of
them hands over to ``cohesity_sdk.helios.display``, which is imported on first use only:
calls and decoding never load it (nor pandas). ``repr()`` stays pydantic's, secrets masked
(``redaction``): one line, for debugging.
"""

from __future__ import annotations

from typing import Any, Dict, List

# ``self`` is an ApiModel (or a ListResult) of model_base, which imports this module:
# it is handed to display as Any. The import of display is the deliberate loop of the
# models' floor (display -> model_base -> model_display -> display): it runs on the
# first display only, so that a call never loads display.


def _as_any(model: object) -> Any:
    return model


class ModelDisplay:
    """For notebooks and ``print()``: a table of the fields that hold a value, in words,
    times as dates, secrets masked.

    A base that comes before ``BaseModel``: IPython takes the first class in the MRO that
    defines either ``_repr_pretty_`` or ``__repr__``, and ``BaseModel`` defines the latter.
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        from cohesity_sdk.helios import display

        return display.to_html(_as_any(self))

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        from cohesity_sdk.helios import display

        display.pretty(_as_any(self), p, cycle)

    def __str__(self) -> str:
        """What IPython shows as text: a model's fields one a line, a list result's count
        of items over a table of them (the command line's ``-o table``), in words."""
        from cohesity_sdk.helios import display

        return display.text(_as_any(self))


class ListDisplay:
    """The tables of a list result's items."""

    __slots__ = ()

    def to_records(self) -> List[Dict[str, Any]]:
        """One flat dict per item, every one with the same keys in the same order: the
        preferred columns first, nested fields dotted (``local_user_params.email``),
        ``*_time_msecs`` as aware UTC ``datetime`` objects, secrets left out. See
        ``cohesity_sdk.helios.display``."""
        from cohesity_sdk.helios import display

        return display.list_records(_as_any(self))

    # Any rather than pandas.DataFrame: code that calls it must type-check where pandas
    # is not installed too. ``frame: pandas.DataFrame = result.to_pandas()`` gives the type.
    def to_pandas(self) -> Any:
        """``to_records()`` as a ``pandas.DataFrame``, ``*_time_msecs`` columns as
        ``datetime64[ns, UTC]``. Needs pandas: ``pip install "cohesity-helios[pandas]"``;
        without it, raises ``ImportError``."""
        from cohesity_sdk.helios import display

        return display.to_pandas(_as_any(self))
