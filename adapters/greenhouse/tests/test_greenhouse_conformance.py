"""The shared adapter conformance suite, run against the Greenhouse adapter and its sandbox."""

from ats_reject_greenhouse import GreenhouseAdapter

from ats_reject.testing import AdapterConformance


class TestGreenhouseConformance(AdapterConformance):
    adapter_class = GreenhouseAdapter
