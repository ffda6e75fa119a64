"""The shared adapter conformance suite, run against the Greenhouse adapter and its sandbox."""

from ats_reject.testing import AdapterConformance
from ats_reject_greenhouse import GreenhouseAdapter


class TestGreenhouseConformance(AdapterConformance):
    adapter_class = GreenhouseAdapter
