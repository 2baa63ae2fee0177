"""A deleted seeker's token is refused by every service once the erasure has reached it."""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.notification.bootstrap import create_app as create_notification_app
from services.notification.core.config import Settings as NotificationSettings
from shared.config import ServiceSettings
from tests.conftest import Namespace
from tests.helpers import serving, settings_for, wait_for
from tests.integration.services.conftest import Employer, SeekerService, seeker_user
from tests.integration.services.fair_support import Clock, fair_app

pytestmark = [pytest.mark.integration, pytest.mark.security]


async def test_a_deleted_seekers_token_gets_401_everywhere(
    namespace: Namespace, seeker: SeekerService, employer: Employer
) -> None:
    notification_settings = NotificationSettings(**settings_for(namespace, "notification").model_dump())
    fair_settings = settings_for(namespace, "fair")
    async with (
        serving(fair_app(namespace, Clock())) as fair,
        serving(create_notification_app(notification_settings)) as notification,
    ):
        me, seeker_id = await seeker_user(seeker.client)
        other, _ = await seeker_user(seeker.client)
        calls: list[tuple[str, httpx.AsyncClient, str]] = [
            ("seeker", seeker.client, "/me"),
            ("fair", fair, "/fairs"),
            ("notification", notification, "/me/preferences"),
            ("notification", notification, "/me/inbox"),
            ("employer", employer.client, "/organisations/mine"),
        ]
        assert (await fair.get("/fairs", headers=me)).status_code == 200
        assert (await notification.get("/me/inbox", headers=me)).status_code == 200

        assert (await seeker.client.delete("/me", headers=me)).status_code == 204
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
        try:
            settings: list[ServiceSettings] = [
                seeker.settings, employer.settings, fair_settings, notification_settings
            ]  # fmt: skip
            for service in settings:
                erasures = client[service.mongo_database]["erasures"]
                await wait_for(
                    partial(erasures.find_one, {"_id": seeker_id}),
                    until=lambda record: record is not None,
                    what=f"the erasure at the {service.service_name} service",
                )
        finally:
            await client.close()

        for name, service_client, path in calls:
            refused = await service_client.get(path, headers=me)
            assert refused.status_code == 401, f"{name} {path}: {refused.status_code} {refused.text}"
            assert refused.json()["detail"] == "this account was deleted"
        assert (await fair.get("/fairs", headers=other)).status_code == 200
        assert (await notification.get("/me/inbox", headers=other)).status_code == 200
