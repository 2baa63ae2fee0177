"""Pages from Jinja2 templates, in the viewer's language, with their CSRF token."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.web.catalogue import CATALOGUE
from services.web.i18n import language_of, reason_text, translator
from services.web.idempotency import new_key
from services.web.session import keep_session, session_of, viewer_of
from shared.events import catalogue as c

SHANGHAI = ZoneInfo("Asia/Shanghai")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def local_time(value: str | None) -> str:
    """An API's ISO time as the talent centre reads it (Shanghai time)."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


FIGURES = ("employers_attending", "vacancies_offered", "posts_offered", "visitors", "interviews_held",
           "hiring_intentions", "hires", "not_suitable")  # fmt: skip
templates.env.filters["local_time"] = local_time
templates.env.globals.update(
    has=CATALOGUE.__contains__,
    categories=[category.value for category in c.TalentCategory],
    education_levels=[level.value for level in c.EducationLevel],
    figure_names=FIGURES,
    new_idempotency_key=new_key,
)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = language_of(request)
    t = translator(language)

    def field_label(field: str) -> str:
        """``skills.1`` → the form's label for skills, and the item's place."""
        name, _, rest = field.partition(".")
        key = f"field.{name}"
        label = t(key) if key in CATALOGUE else name
        return f"{label} {rest}".strip()

    settings = request.app.state.settings
    session = session_of(request)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": t,
            "lang": language,
            "viewer": viewer_of(request),
            "csrf": session.csrf(settings),
            "reason_text": partial(reason_text, language),
            "field_label": field_label,
            **context,
        },
        status_code=status_code,
    )
    keep_session(response, session, settings)
    return response
