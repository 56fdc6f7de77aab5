"""A memo that lives from one build to the next: what serve keeps between saves.

Values are made from hashable inputs (model objects, which are interned so that unchanged
ones are the very same objects); what a build did not ask for is forgotten at its end, so a
memo never grows across rebuilds.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")

_MISSING: Any = object()


class Memo(Generic[V]):
    def __init__(self) -> None:
        self.now: dict[Hashable, V] = {}
        self.last: dict[Hashable, V] = {}

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        return self._kept(key, make, ())

    def call(self, make: Callable[..., V], *args: Any) -> V:
        """make(*args), kept under the key (make, *args): make must be a pure function of its arguments."""
        return self._kept((make, *args), make, args)

    def _kept(self, key: Hashable, make: Callable[..., V], args: tuple[Any, ...]) -> V:
        # As few lookups as can be: a key's hash is computed anew for each (tuples do not keep theirs).
        value = self.now.get(key, _MISSING)
        if value is _MISSING:
            value = self.last.pop(key, _MISSING)
            if value is _MISSING:
                value = make(*args)
            self.now[key] = value
        return value  # type: ignore[no-any-return]

    def rotate(self) -> None:
        """End a build: keep what it used, for the next one."""
        self.last, self.now = self.now, {}


#: How a maker asks for a pure function's result: recall(make, *args) returns make(*args), perhaps kept from an earlier build.
Recall = Callable[..., Any]


def no_memo(make: Callable[..., V], *args: Any) -> V:
    """A Recall that keeps nothing: each result is made when asked for."""
    return make(*args)
