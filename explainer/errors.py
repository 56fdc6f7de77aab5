"""Problems found in content or templates, and the exceptions that carry them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, order=True)
class Problem:
    """One message about the user's input, located at file:line:col (1-based)."""

    file: str
    line: int
    col: int
    message: str
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        text = f"{where}: {'warning: ' if self.warning else ''}{self.message}"
        text = f"{text} ({self.hint})" if self.hint else text
        # One problem, one line, and nothing a terminal would act on: a value quoted in a message
        # may hold line breaks or control characters (an escape sequence pasted from elsewhere).
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class ExplainerError(Exception):
    """Base of every error the generator reports to the user without a traceback."""


class ContentError(ExplainerError):
    """The content or the templates have problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class OutputError(ExplainerError):
    """The output folder cannot be used or written."""


class UsageError(ExplainerError):
    """The command line asks for something impossible."""
