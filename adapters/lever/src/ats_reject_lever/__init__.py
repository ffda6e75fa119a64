"""The Lever adapter of ats-reject (registered as the entry point ``lever``)."""

from ats_reject_lever.adapter import LeverAdapter, LeverSettings

__all__ = ["LeverAdapter", "LeverSettings"]
