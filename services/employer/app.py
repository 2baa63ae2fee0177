"""Run with: uvicorn services.employer.app:app --port 8101"""

from services.employer.bootstrap import create_app
from services.employer.core.config import settings

app = create_app(settings)
broker = app.state.service.broker
