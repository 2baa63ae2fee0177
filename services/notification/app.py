"""Run with: uvicorn services.notification.app:app --port 8104"""

from services.notification.bootstrap import create_app
from services.notification.core.config import Settings

app = create_app(Settings())
broker = app.state.service.broker
