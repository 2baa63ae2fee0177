"""Run with: faststream run services.employer.app:app --host 127.0.0.1 --port 8101"""

from services.employer.core.config import settings
from shared.service import Service

service = Service(settings)
broker = service.broker
app = service.app
