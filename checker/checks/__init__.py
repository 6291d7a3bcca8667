"""Built-in checks, one kind per module. Importing this package registers them all.

Every module here (but those whose name starts with ``_``, which hold shared
helpers) is imported in turn, so adding a check is adding a module, or a class to
one: each check is a class registered with :func:`checker.registry.register`,
holding every fact about itself (see :mod:`checker.registry`). The reference of
every check, ``docs/checks.md``, is generated from them (``mtcheck checks --markdown``).
"""

from importlib import import_module
from pkgutil import iter_modules

for _module in sorted(m.name for m in iter_modules(__path__)):
    if not _module.startswith("_"):
        import_module(f"{__name__}.{_module}")
