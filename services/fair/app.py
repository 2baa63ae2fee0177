"""Run with: uvicorn services.fair.app:app --port 8105"""

from services.fair.bootstrap import create_app
from services.fair.core.config import settings

app = create_app(
    settings,
    planner_interval_s=settings.planner_interval_seconds,
    solver_seconds=settings.schedule_solver_seconds,
)
broker = app.state.service.broker
