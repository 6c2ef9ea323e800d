"""The ports every outbound adapter implements, and the errors they raise.

They belong to the application (:mod:`oversight.workflows.ports.deliveries`, where the error tree is
drawn); they are named here too so each adapter imports them from its own package.

An adapter builds what it sends from :func:`oversight.adapters.delivery.payload.outbound`, never
from the stored message itself, so only allow-listed fields can leave the store.
"""

from __future__ import annotations

from oversight.workflows.ports.deliveries import (
    BatchDeliverer,
    Checkable,
    Deliverer,
    DeliveryFailed,
    PayloadRefused,
)

__all__ = ["BatchDeliverer", "Checkable", "Deliverer", "DeliveryFailed", "PayloadRefused"]
