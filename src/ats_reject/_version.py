"""The installed version of ats-reject."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ats-reject")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
