"""Run with: uvicorn services.notification.app:app --port 8104"""

from services.notification.core.config import settings
from shared.api.app import create_api
from shared.service import Service

service = Service(settings)
broker = service.broker
app = create_api(service, title="Notification service")
