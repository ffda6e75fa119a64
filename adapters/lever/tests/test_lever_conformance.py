"""The shared conformance suite, run against the Lever adapter and its sandbox."""

from ats_reject.testing import AdapterConformance
from ats_reject_lever import LeverAdapter


class TestLeverConformance(AdapterConformance):
    adapter_class = LeverAdapter
