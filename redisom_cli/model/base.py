"""The model base: class creation, primary keys and the registry of model classes.

Nothing here performs I/O. The sync and async record methods are mixed in by
`redisom_cli.store.sync` and `redisom_cli.store.aio`.
"""

from __future__ import annotations

import abc
import contextlib
import inspect
import sys
from collections.abc import Iterator
from typing import Any, ClassVar, Optional

from pydantic import BaseModel, ConfigDict
from pydantic._internal._model_construction import ModelMetaclass

from redisom_cli.errors import InvalidInputError, ModelDefinitionError
from redisom_cli.model import meta as meta_rules
from redisom_cli.model.fields import DEFAULT_OPTIONS, Field, FieldOptions, RedisFieldInfo

#: Every concrete model class, sync and async, keyed by "module.QualifiedName".
model_registry: dict[str, type[RedisModel]] = {}


class ModelMeta(ModelMetaclass):
    """The metaclass of every model: resolves Meta, options, primary key and registration."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any],
                index: bool | None = None, **kwargs: Any) -> type:
        own_meta = namespace.pop("Meta", None)
        framework = namespace.pop("__om_framework__", False)
        options = _inherited_options(bases)
        options.update(_declared_options(namespace))
        if not framework and _needs_pk_field(bases, options, own_meta):
            _add_pk_field(namespace)
            options["pk"] = FieldOptions(index=True, primary_key=True)

        with _field_access_hidden(bases):
            cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        _resolve_local_annotations(cls, sys._getframe(1))
        parent_meta = next((base._meta for base in bases if hasattr(base, "_meta")), None)
        cls._meta = cls.Meta = meta_rules.resolve_meta(cls, own_meta, parent_meta)
        cls.__om_options__ = options
        cls.__om_abstract__ = framework or abc.ABC in bases
        cls.__om_indexed__ = _resolve_indexed(cls, bases, index)
        cls.__om_primary_key__ = _primary_key_name(options)
        if framework:
            return cls

        cls.__om_check_definition__()
        _install_field_access(cls)
        install_pk_alias(cls)
        if not cls.__om_abstract__ and not cls._meta.embedded:
            model_registry[f"{cls.__module__}.{cls.__qualname__}"] = cls
        return cls


@contextlib.contextmanager
def _field_access_hidden(bases: tuple[type, ...]) -> Iterator[None]:
    """Remove the query proxies of parent models while pydantic builds a subclass.

    pydantic reads an inherited field's default with getattr() on the new class, which
    would find the parent's proxy and take it as the default value.
    """
    hidden: list[tuple[type, str, Any]] = []
    for base in bases:
        for ancestor in base.__mro__:
            for field_name in getattr(ancestor, "__om_proxies__", ()):
                if field_name in ancestor.__dict__:
                    hidden.append((ancestor, field_name, ancestor.__dict__[field_name]))
                    delattr(ancestor, field_name)
    try:
        yield
    finally:
        for ancestor, field_name, proxy in hidden:
            setattr(ancestor, field_name, proxy)


def _resolve_local_annotations(cls: Any, frame: Any) -> None:
    """Resolve annotations that name classes local to the function defining `cls`.

    pydantic looks for them a fixed number of frames up, which this metaclass shifts by
    one, so the defining frame's locals are handed over here.
    """
    if frame.f_code.co_name == "<module>":
        return
    local_names = dict(frame.f_locals)
    cls.__pydantic_parent_namespace__ = local_names
    if not cls.__pydantic_complete__:
        cls.model_rebuild(_types_namespace=local_names, raise_errors=False)


def _inherited_options(bases: tuple[type, ...]) -> dict[str, FieldOptions]:
    merged: dict[str, FieldOptions] = {}
    for base in reversed(bases):
        merged.update(getattr(base, "__om_options__", {}))
    return merged


def _declared_options(namespace: dict[str, Any]) -> dict[str, FieldOptions]:
    """Collect the Redis OM options of the fields declared in a class body.

    pydantic may rebuild FieldInfo objects (for `Annotated` fields in particular), so the
    options are read from the class body before pydantic processes it.
    """
    found: dict[str, FieldOptions] = {}
    for field_name, annotation in namespace.get("__annotations__", {}).items():
        for item in getattr(annotation, "__metadata__", ()):
            if isinstance(item, RedisFieldInfo):
                found[field_name] = item.om_options
        value = namespace.get(field_name)
        if isinstance(value, RedisFieldInfo):
            found[field_name] = value.om_options
    return found


def _needs_pk_field(bases: tuple[type, ...], options: dict[str, FieldOptions], own_meta: type | None) -> bool:
    if any(option.primary_key for option in options.values()):
        return False
    embedded = getattr(own_meta, "embedded", None)
    if embedded is None:
        embedded = any(getattr(getattr(base, "_meta", None), "embedded", False) for base in bases)
    return not embedded


def _add_pk_field(namespace: dict[str, Any]) -> None:
    annotations = namespace.get("__annotations__", {})
    namespace["__annotations__"] = {"pk": Optional[str], **annotations}
    namespace["pk"] = Field(default=None, index=True, primary_key=True, min_length=1)


def _primary_key_name(options: dict[str, FieldOptions]) -> str | None:
    names = [name for name, option in options.items() if option.primary_key]
    if len(names) > 1:
        raise ModelDefinitionError(f"a model may have one primary key field, not {len(names)}: {', '.join(names)}")
    return names[0] if names else None


def _resolve_indexed(cls: type, bases: tuple[type, ...], index: bool | None) -> bool:
    """Decide whether the Migrator creates a search index for this model.

    `index=True` in the class statement requests one, as in Redis OM Python 1.x. Without it
    a model is indexed when any of its fields requests an index (the Redis OM Python 0.x rule), so
    both styles of model declaration keep working.
    """
    if index is not None:
        return index
    if any(getattr(base, "__om_indexed__", False) and not getattr(base, "__om_abstract__", True) for base in bases):
        return True
    options = cls.__om_options__
    return any(option.indexed for name, option in options.items() if name != "pk")


def _install_field_access(cls: type) -> None:
    """Make `Model.field` a query expression, as Redis OM Python users write queries."""
    try:
        from redisom_cli.query.proxy import FieldProxy
    except ImportError:  # the query layer is optional while the package is assembled
        return
    for field_name in cls.model_fields:
        setattr(cls, field_name, FieldProxy(cls, (field_name,)))
    cls.__om_proxies__ = tuple(cls.model_fields)


class RedisModel(BaseModel, metaclass=ModelMeta):
    """The common base of HashModel, JsonModel and EmbeddedJsonModel."""

    __om_framework__ = True
    model_config = ConfigDict(
        validate_assignment=True, arbitrary_types_allowed=True, validate_by_name=True, validate_by_alias=True
    )

    _meta: ClassVar[type]
    __om_options__: ClassVar[dict[str, FieldOptions]]
    __om_indexed__: ClassVar[bool]
    __om_abstract__: ClassVar[bool]
    __om_primary_key__: ClassVar[Optional[str]]

    def model_post_init(self, context: Any) -> None:
        """Create the primary key when the model has none yet."""
        name = type(self).__om_primary_key__
        if name == "pk" and self.__dict__.get("pk") is None:
            self.__dict__["pk"] = self._new_pk()

    def _new_pk(self) -> str:
        creator = self._meta.primary_key_creator_cls
        create = creator().create_pk if inspect.isclass(creator) else creator.create_pk
        if _accepts_arguments(create):
            return str(create(**{k: v for k, v in self.__dict__.items() if k != "pk"}))
        return str(create())

    @classmethod
    def __om_check_definition__(cls) -> None:
        """Raise ModelDefinitionError for a field that this kind of model cannot store."""

    @classmethod
    def field_options(cls, name: str) -> FieldOptions:
        """Return the Redis OM options of the field `name`."""
        return cls.__om_options__.get(name, DEFAULT_OPTIONS)

    @classmethod
    def key_prefix(cls) -> str:
        """Return the prefix shared by every record key of this model."""
        return meta_rules.key_prefix(cls._meta)

    @classmethod
    def make_key(cls, part: str) -> str:
        """Return `part` under this model's key prefix, as Redis OM Python does."""
        return meta_rules.key_prefix(cls._meta) + part

    @classmethod
    def make_primary_key(cls, pk: Any) -> str:
        """Return the record key for the primary key `pk`."""
        return meta_rules.record_key(cls._meta, pk)

    @classmethod
    def index_name(cls) -> str:
        """Return the name of this model's search index."""
        return cls._meta.index_name

    @classmethod
    def is_indexed(cls) -> bool:
        """Return whether the Migrator creates a search index for this model."""
        return bool(cls.__om_indexed__) and not cls.__om_abstract__ and not cls._meta.embedded

    def key(self) -> str:
        """Return the Redis key of this record; raise InvalidInputError if its primary key is empty."""
        pk = self.pk
        if pk is None or pk == "":
            raise InvalidInputError(f"{type(self).__name__}: the primary key must not be empty")
        return meta_rules.record_key(self._meta, pk)


def _pk_property(self: RedisModel) -> Any:
    return getattr(self, type(self).__om_primary_key__)


def _accepts_arguments(function: Any) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) or p.default is p.empty for p in parameters)


def install_pk_alias(cls: type[RedisModel]) -> None:
    """Give a model with a custom primary key field a read-only `.pk` for that field."""
    if cls.__om_primary_key__ not in (None, "pk"):
        cls.pk = property(_pk_property)
