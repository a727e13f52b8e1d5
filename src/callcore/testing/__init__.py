"""Tools for testing code built on callcore.

Import the submodule you need: :mod:`callcore.testing.fakes` (a fake telephony
provider, notifier, CRM and event log for a :class:`~callcore.center.ContactCenter`),
:mod:`callcore.testing.storage_contract` (the
contract test suite for storage plugins) and :mod:`callcore.testing.flow_tester`
(run IVR flows from a script).
"""
