"""botocore's data files (service models, endpoints), parsed once and kept as marshal files.

A client's creation is mostly botocore parsing JSON: ``endpoints.json`` (1.2 MB) and the IAM
model (650 kB unzipped) took ~75 ms of the ~110 ms `check` spends before its first request
on this machine; ``marshal`` reads the same data in a tenth of that. The cache lives in the
user cache dir, keyed by each source file's path, size and mtime (a botocore upgrade makes
new keys), holds nothing but botocore's own public data, and is only an optimisation:
anything wrong with it (unwritable, damaged) falls back to botocore's own loading.

Public API only: a ``file_loader`` for ``botocore.loaders.Loader``, registered as the
session's ``data_loader`` component.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

from botocore.loaders import JSONFileLoader, Loader

log = logging.getLogger(__name__)

_FORMAT = 1


def cache_dir() -> Path:
    """Where the parsed models are kept (``~/.cache/mfa-tui/botocore`` on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("mfa-tui") / "botocore"


def _plain(value: Any) -> Any:
    """JSON's values with plain dicts (botocore's OrderedDict cannot be marshalled; dicts
    keep their order)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class CachedJSONFileLoader(JSONFileLoader):
    """botocore's JSON file loader, with a marshal copy of each file it has parsed."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or cache_dir()

    def source_file(self, file_path: str) -> str | None:
        for suffix in (".json", ".json.gz"):
            if os.path.isfile(file_path + suffix):
                return file_path + suffix
        return None

    def load_file(self, file_path: str) -> Any:
        source = self.source_file(file_path)
        if source is None:
            return super().load_file(file_path)
        try:
            stat = os.stat(source)
        except OSError:
            return super().load_file(file_path)
        key = f"{_FORMAT}:{source}:{stat.st_size}:{stat.st_mtime_ns}"
        cached = self.directory / (hashlib.sha1(key.encode()).hexdigest() + ".marshal")
        try:
            with open(cached, "rb") as handle:
                raw = handle.read()
            # The collector would walk this fresh graph of ~100,000 dicts and lists several
            # times while it is built (it has no cycles): not while loading it.
            collecting = gc.isenabled()
            gc.disable()
            try:
                return marshal.loads(raw)
            finally:
                if collecting:
                    gc.enable()
        except FileNotFoundError:
            pass
        except (OSError, ValueError, EOFError, TypeError) as exc:
            log.info("model cache unreadable for %s: %s", source, exc)
        data = super().load_file(file_path)
        if data is not None:
            self.store(cached, _plain(data))
        return data

    def store(self, path: Path, data: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".model-")
            with os.fdopen(fd, "wb") as handle:
                marshal.dump(data, handle)
            os.replace(temp, path)  # whole or not at all: a reader never sees half a file
        except (OSError, ValueError) as exc:
            log.info("model cache not written (%s): botocore parses the JSON each time", exc)


class CachedLoader(Loader):
    """botocore's Loader; the list of services (a walk of ~450 folders, ~1,800 ``stat``
    calls, done before any model is loaded) is kept too, keyed by each search path's mtime
    (adding or removing a service folder changes it)."""

    def list_available_services(self, type_name: str) -> list[str]:
        file_loader = self.file_loader
        if not isinstance(file_loader, CachedJSONFileLoader):
            return list(super().list_available_services(type_name))
        try:
            stamps = [f"{p}:{os.stat(p).st_mtime_ns}" for p in self.search_paths
                      if os.path.isdir(p)]
        except OSError:
            return list(super().list_available_services(type_name))
        key = f"{_FORMAT}:services:{type_name}:{';'.join(stamps)}"
        path = file_loader.directory / (hashlib.sha1(key.encode()).hexdigest() + ".marshal")
        try:
            with open(path, "rb") as handle:
                names = marshal.load(handle)
            if isinstance(names, list):
                return names
        except (OSError, ValueError, EOFError, TypeError):
            pass
        names = list(super().list_available_services(type_name))
        file_loader.store(path, names)
        return names


def cached_loader(data_path: str | None = None) -> Loader:
    """A botocore ``Loader`` like the session's own (``data_path`` honoured) that reads
    parsed models, and the list of services, from the cache."""
    extra = [p for p in (data_path or "").split(os.pathsep) if p]
    return CachedLoader(extra_search_paths=[os.path.expanduser(p) for p in extra],
                        file_loader=CachedJSONFileLoader())
