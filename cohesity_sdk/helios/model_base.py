"""The base of every generated model: strict when a user builds it, lenient from the server.

A model built by a user (``CreateUserParameters(username=...)``) refuses keywords it does
not know, at any depth, and a model a request carries takes only values of its fields'
own types (pydantic's strict mode, ``StrictStr`` and friends in the generated fields).
What pydantic refuses is raised as ``ApiValueError``, naming the field. A model decoded
from the server (``from_dict``, ``from_json``, a response) keeps unknown fields, accepts
enum values it has not heard of and fields that are missing.

What the spec requires of a request (required fields, ``minItems``, known enum values,
the int64 range, read-only fields) is checked when the model is turned into a request
body (``to_wire``, ``encoder.encode_body``): see ``request_rules``. Secrets are masked
where a model is shown (``redaction``); notebooks reach ``display`` through
``model_display``.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Dict,
    Iterable,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    cast,
)

from pydantic import BaseModel, ConfigDict, ValidationError

from cohesity_sdk.helios import redaction
from cohesity_sdk.helios.encoder import dump_options
from cohesity_sdk.helios.exceptions import (
    ApiAttributeError,
    ApiTypeError,
    ApiValueError,
    describe_errors,
    did_you_mean,
    render_path,
)
from cohesity_sdk.helios.model_display import ListDisplay, ModelDisplay
from cohesity_sdk.helios.request_rules import NO_RULES, Path, WireRules, wire_rules
from cohesity_sdk.helios.wire import FieldPlan, field_plans

M = TypeVar("M", bound="ApiModel")

#: pydantic's names kept for v1 code, and those it deprecates on instances.
_DEPRECATED = frozenset({
    "dict", "json", "parse_obj", "parse_raw", "parse_file", "from_orm", "construct", "copy",
    "schema", "schema_json", "validate", "update_forward_refs", "_iter",
    "_copy_and_set_values", "_get_value", "_calculate_keys", "__fields__",
    "__fields_set__", "model_fields", "model_computed_fields",
})


class ApiModel(ModelDisplay, BaseModel):
    """Common behaviour of the generated models."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        validate_assignment=True,
        # Error text never quotes a value: it may be a password or a key.
        hide_input_in_errors=True,
        # Each class's validator is built on its first use, not on import: see
        # __pydantic_init_subclass__. A model used only inside another (UserParams in
        # UsersList) never needs one of its own.
        defer_build=True,
    )

    __wire_plan__: ClassVar[Tuple[FieldPlan, ...]] = ()
    # Attribute paths (``local_user_params.email``) a table shows first: the x-columns.
    __columns__: ClassVar[Tuple[str, ...]] = ()
    __known_names__: ClassVar[Dict[str, FieldPlan]] = {}
    __wire_rules__: ClassVar[WireRules] = NO_RULES
    # The models that stand for this one in the server's answers (UserParams for
    # CreateUserParameters): a key unknown here but read-only there is set by the server.
    __answer_models__: ClassVar[Tuple[str, ...]] = ()

    def __init__(self, /, **data: Any) -> None:
        """Build the model from keywords (attribute names or JSON keys), nested models
        from dicts; raises ``ApiTypeError`` for an unknown keyword and ``ApiValueError``
        for a value pydantic refuses, naming the field."""
        cls = type(self)
        _check_keywords(cls, data, [])
        try:
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except ValidationError as exc:
            raise _refused(cls.__name__ + "()", exc) from None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # The __init__ above is for calls such as CreateUserParameters(...) only. pydantic
        # would also call it for every object it validates, answers included, since it
        # is not BaseModel's own; __pydantic_custom_init__ (read when the validator is
        # built, which defer_build leaves until now) tells it not to: decoding stays
        # lenient, and in pydantic-core alone.
        cls.__pydantic_custom_init__ = False
        plans = field_plans(cls)
        cls.__wire_plan__ = plans
        known: Dict[str, FieldPlan] = {}
        for plan in plans:
            known[plan.name] = plan
            known[plan.alias] = plan
        cls.__known_names__ = known
        cls.__wire_rules__ = wire_rules(plans, all(
            info.default is None and info.default_factory is None
            for info in cls.model_fields.values()))

    # -- attribute access ------------------------------------------------------------

    # Hidden from type checkers: for them a model has its declared fields and no others,
    # so that a misspelt name is an error in the editor.
    if not TYPE_CHECKING:

        def __setattr__(self, name: str, value: Any) -> None:
            if not name.startswith("_"):
                plan = self.__known_names__.get(name)
                if plan is None:
                    if not (self.__pydantic_extra__ and name in self.__pydantic_extra__):
                        hint = set_by_the_server(type(self), name) or self._hint(name)
                        raise ApiAttributeError(
                            f"{type(self).__name__} has no field {name!r}{hint}")
                else:
                    _check_nested(plan, value, [plan.name])
                    name = plan.name
            try:
                super().__setattr__(name, value)
            except ValidationError as exc:
                raise _refused(type(self).__name__, exc) from None

        def __getattr__(self, name: str) -> Any:
            try:
                return super().__getattr__(name)
            except AttributeError:
                raise ApiAttributeError(
                    f"{type(self).__name__} has no field {name!r}{self._hint(name)}"
                ) from None

    def __dir__(self) -> Iterable[str]:
        # What there is to use: fields, not the names pydantic keeps for v1 code.
        return sorted(set(super().__dir__()) - _DEPRECATED)

    @classmethod
    def _hint(cls, name: str) -> str:
        return did_you_mean(name, cls.model_fields)

    # -- conversions -------------------------------------------------------------------

    @classmethod
    def from_dict(cls: Type[M], obj: Dict[str, Any]) -> M:
        """Build from a dict of JSON keys (or attribute names); unknown keys are kept."""
        try:
            return cls.model_validate(obj)
        except ValidationError as exc:
            raise _refused(f"{cls.__name__}.from_dict()", exc) from None

    @classmethod
    def from_json(cls: Type[M], json_str: Union[str, bytes]) -> M:
        """Build from a JSON document; unknown keys are kept."""
        try:
            return cls.model_validate_json(json_str)
        except ValidationError as exc:
            raise _refused(f"{cls.__name__}.from_json()", exc) from None

    def to_dict(self) -> Dict[str, Any]:
        """The fields that were set, by their JSON keys, nested models as dicts."""
        return self.model_dump(by_alias=True, exclude_unset=True)

    def to_json(self) -> str:
        """``to_dict()`` as a JSON document."""
        return self.model_dump_json(by_alias=True, exclude_unset=True)

    def to_str(self) -> str:
        """A pretty-printed ``to_dict()`` with secrets masked, for reading."""
        return redaction.redacted_text(self)

    def to_wire(self, path: Optional[Path] = None) -> Dict[str, Any]:
        """The JSON object to send, after checking what the spec requires of a request.

        Unset fields and ``None`` in fields that are not nullable are left out,
        read-only fields are never sent, and neither are keys the spec does not
        declare. Raises ``ApiValueError`` naming the field that breaks a rule. Checked
        and written as ``encoder.encode_body`` does a request body.
        """
        cls = type(self)
        path = path if path is not None else [cls.__name__]
        return self.model_dump(**dump_options(cls, [self], path, None))

    def __repr_args__(self) -> Any:
        return redaction.repr_args(self)


class ListResult(ListDisplay, ApiModel):
    """Base of the list results (``UsersList``...): a model that holds one list of models,
    the field ``__items__`` names. Shown as a table of the items; ``to_records()`` and
    ``to_pandas()`` make tables of them."""

    __items__: ClassVar[str] = ""


# -- building from Python values ---------------------------------------------------------


def build_model(cls: Type[M], data: Dict[str, Any], where: str) -> M:
    """``cls(**data)``, each refusal saying ``where`` it was (``body[0]``)."""
    try:
        _check_keywords(cls, data, [])
    except ApiTypeError as exc:
        raise ApiTypeError(f"{where}: {exc}") from None
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise _refused(where, exc) from None


def _refused(where: str, exc: ValidationError) -> ApiValueError:
    # A ValueError, as pydantic's error is: code that catches that keeps working.
    return ApiValueError(f"{where}: {describe_errors(exc)}")


def _check_keywords(cls: Type[ApiModel], data: Dict[str, Any], path: Path) -> None:
    known = cls.__known_names__
    for key, value in data.items():
        plan = known.get(key)
        if plan is None:
            raise _unknown_name(cls, key, path)
        _check_nested(plan, value, path + [plan.name])


def nested_model(plan: FieldPlan) -> Optional[Type[ApiModel]]:
    """The model a field holds, or holds a list of; None for a field of plain values."""
    return cast("Optional[Type[ApiModel]]", plan.model)


def _check_nested(plan: FieldPlan, value: Any, path: Path) -> None:
    """Check the keys of a dict (or list of dicts) given for a field that holds models."""
    model = nested_model(plan)
    if model is None:
        return
    if isinstance(value, dict):
        _check_keywords(model, value, path)
    elif plan.is_list and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                _check_keywords(model, item, path + [i])


def _unknown_name(cls: Type[ApiModel], key: str, path: Path) -> ApiTypeError:
    where = f" at {render_path(path)}" if path else ""
    hint = set_by_the_server(cls, key)
    if not hint:
        names = [p.name for p in cls.__wire_plan__] + [p.alias for p in cls.__wire_plan__]
        hint = did_you_mean(key, names)
    return ApiTypeError(f"{cls.__name__}() got an unexpected keyword argument {key!r}"
                        f"{where}{hint}")


def set_by_the_server(cls: Type[ApiModel], key: str) -> str:
    """What to say of ``key``, unknown to ``cls``, when the server sets it: it is
    read-only in a model of the answers (``createdTimeMsecs`` given to
    ``CreateUserParameters``, copied from a ``UserParams``); else ``""``."""
    if not cls.__answer_models__:
        return ""
    # The deliberate loop of the models' floor (models -> model_base -> models): the
    # models are loaded by name, for a refused key only, never by a call that succeeds.
    from cohesity_sdk.helios import models

    for name in cls.__answer_models__:
        plan = getattr(models, name).__known_names__.get(key)
        if plan is not None and plan.read_only:
            return (f": the server sets it (read-only in {name}), so a request cannot; "
                    "leave it out")
    return ""
