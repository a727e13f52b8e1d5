"""Telephony adapters for real platforms, each an optional extra.

- :mod:`callcore.adapters.twilio` (extra ``twilio``): Twilio voice web hooks
  to :class:`~callcore.center.ContactCenter` inputs, actions to TwiML.
"""
