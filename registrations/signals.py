"""Domain signals of registrations, for the apps above it (booths, badges) to react to.

Sent after the transaction commits, with ``application=``.
"""

from django.dispatch import Signal

application_withdrawn = Signal()
