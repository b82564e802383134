"""SQLAlchemy 2.0 ORM, one module per aggregate. Importing this package registers every table."""

from models.api_key import ApiKey, Role
from models.audit import AuditEvent
from models.base import Base
from models.event import Event
from models.fair import Fair, FairInterest, FairMeeting, FairParticipant
from models.lawyer import Lawyer, LawyerStatus, Passage, ProfileChange
from models.match_query import MatchQueryCount
from models.meta import ServiceMeta
from models.need import Need
from models.notification import OutboxEmail
from models.request import ConsultationRequest, RequestState
from models.webhook import DeliveryStatus, WebhookCursor, WebhookDelivery, WebhookFannedOut, WebhookSubscription

__all__ = ["ApiKey", "AuditEvent", "Base", "ConsultationRequest", "Event", "Fair", "FairInterest", "FairMeeting", "FairParticipant", "Lawyer", "LawyerStatus", "MatchQueryCount", "Need", "OutboxEmail", "Passage", "ProfileChange", "RequestState", "Role", "ServiceMeta",
    "DeliveryStatus", "WebhookCursor", "WebhookDelivery", "WebhookFannedOut", "WebhookSubscription"]
