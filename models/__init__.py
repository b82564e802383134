"""SQLAlchemy 2.0 ORM, one module per aggregate. Importing this package registers every table."""

from models.api_key import ApiKey, Role
from models.audit import AuditEvent
from models.base import Base
from models.event import Event
from models.lawyer import Lawyer, LawyerStatus, Passage, ProfileChange
from models.meta import ServiceMeta
from models.need import Need
from models.webhook import DeliveryStatus, WebhookCursor, WebhookDelivery, WebhookFannedOut, WebhookSubscription

__all__ = ["ApiKey", "AuditEvent", "Base", "Event", "Lawyer", "LawyerStatus", "Need", "Passage", "ProfileChange", "Role", "ServiceMeta",
    "DeliveryStatus", "WebhookCursor", "WebhookDelivery", "WebhookFannedOut", "WebhookSubscription"]
