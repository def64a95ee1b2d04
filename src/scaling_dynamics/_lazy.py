"""A registry whose entries are imported on first use: one line per entry, no import cost.

A command runs one task and one model; importing every task's and every model's module
to build their registries cost ~0.1 s of each command's start-up (issue 18). A
:class:`LazyRegistry` keeps each entry as data (the ``"module:attribute"`` that defines
it, plus whatever a listing needs without importing it: a one-line summary) and builds
the value the first time its name is looked up.

>>> reg = LazyRegistry("json", {"decoder": ("decoder:JSONDecoder", "text to data")},
...                    lambda name, entry, cls: cls())
>>> list(reg), reg.entries["decoder"][1], "decoder" in reg, reg.loaded()
(['decoder'], 'text to data', True, ())
>>> reg["decoder"].decode("[1]"), reg.loaded()
([1], ('decoder',))
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

__all__ = ["LazyRegistry", "resolve", "lazy_attributes"]

V = TypeVar("V")
E = TypeVar("E", bound=tuple)


def resolve(package: str, path: str) -> Any:
    """The attribute named by ``"module:attribute"``, the module relative to ``package``."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(f".{module}", package), attribute)


def lazy_attributes(package: str, table: Mapping[str, str], namespace: dict[str, Any],
                    ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` (PEP 562) for public names imported on
    first use: ``table`` maps each name to the module (relative to ``package``) that defines
    it; a name once imported is kept in the package's ``namespace``."""

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{table[name]}", package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__


class LazyRegistry(Mapping[str, V], Generic[V, E]):
    """name -> value, each value built on first lookup; names and entries cost nothing.

    Parameters
    ----------
    package : str
        The package the entries' module paths are relative to.
    entries : dict
        name -> a tuple whose first item is ``"module:attribute"`` (the module relative to
        ``package``); the other items are the entry's light data (e.g. its summary).
    build : callable
        ``build(name, entry, obj)`` -> the registered value, ``obj`` being the resolved
        attribute.

    Iteration, ``len`` and ``in`` use the names only; ``[name]``, ``values()`` and
    ``items()`` import what they return. A name not registered raises ``KeyError``.
    """

    def __init__(self, package: str, entries: dict[str, E],
                 build: Callable[[str, E, Any], V]) -> None:
        self._package = package
        self.entries: Mapping[str, E] = dict(entries)
        self._build = build
        self._values: dict[str, V] = {}

    def __getitem__(self, name: str) -> V:
        try:
            return self._values[name]
        except KeyError:
            pass
        entry = self.entries[name]
        value = self._build(name, entry, resolve(self._package, entry[0]))
        self._values[name] = value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def loaded(self) -> tuple[str, ...]:
        """The names whose values have been built so far."""
        return tuple(self._values)

    def __repr__(self) -> str:
        return f"LazyRegistry({list(self.entries)!r})"
