"""The conformance suite, run against the in-repo example adapter: the one-line usage."""

from ats_reject.testing import AdapterConformance
from ats_reject.testing.example_adapter import ExampleAdapter


class TestExampleConformance(AdapterConformance):
    adapter_class = ExampleAdapter
