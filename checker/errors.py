"""Every error mtcheck raises for its user: one root, four kinds. Imports nothing.

The message of each is one line meant for the user (the command line prints it
after ``mtcheck: error:`` and exits 2; the web page shows it as it is). Anything
else that escapes is a bug, and keeps its traceback.

* :class:`InputError` - input that cannot be checked (missing, binary, malformed);
* :class:`ConfigError` - a setting, option or settings file that cannot be used;
* :class:`ModelError` - a model that is missing or cannot be loaded;
* :class:`DependencyError` - an optional package a feature needs is not installed.

``InputError`` and ``ConfigError`` are also ``ValueError``: a bad value.
"""

from __future__ import annotations


class MtcheckError(Exception):
    """The root of mtcheck's errors; the message is one line for the user."""


class InputError(MtcheckError, ValueError):
    """Input that cannot be checked."""


class ConfigError(MtcheckError, ValueError):
    """A settings file or option that cannot be used."""


class ModelError(MtcheckError):
    """A model that is missing or cannot be loaded."""


class DependencyError(MtcheckError):
    """An optional package that a feature needs is not installed."""
