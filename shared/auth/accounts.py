"""Sign-in accounts kept in a service's own store: unique e-mail, Argon2 hash, one role."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, EmailStr, Field
from pymongo.errors import DuplicateKeyError

from shared.auth.passwords import hash_password, verify_password
from shared.auth.tokens import Role
from shared.errors import Conflict, Unauthorized
from shared.store.mongo import Document, Store

Password = Field(min_length=10, max_length=200, description="at least 10 characters")
# Verified against when the e-mail is unknown, so both failures take the same time.
_DECOY_HASH = hash_password("decoy password, never matches")


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    password: str = Field(min_length=1, max_length=200)


class Account(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    email: EmailStr
    role: Role
    display_name: str
    created_at: datetime


class Accounts:
    """Accounts of one collection; a service may keep its own fields in the same documents."""

    def __init__(self, store: Store, collection: str = "accounts") -> None:
        self._store = store
        self._collection = collection

    def table(self) -> Any:
        return self._store.database()[self._collection]

    async def ensure_indexes(self) -> None:
        await self.table().create_index("email", unique=True, sparse=True)

    @staticmethod
    def document(email: str, password: str | None, role: Role, display_name: str, **extra: Any) -> Document:
        """A new account document; ``extra`` holds the service's own fields (and its outbox).

        Without a password the account is unclaimed: it exists (its e-mail is taken) but
        nobody can sign in to it until a password is set.
        """
        account_id = extra.pop("_id", None) or str(uuid4())
        return {
            "_id": account_id,
            "email": email.lower(),
            "password_hash": hash_password(password) if password is not None else None,
            "role": role.value,
            "display_name": display_name,
            "created_at": datetime.now(UTC).isoformat(),
            **extra,
        }

    async def insert(self, document: Document) -> Account:
        try:
            await self.table().insert_one(document)
        except DuplicateKeyError as error:
            raise Conflict(f"an account with the e-mail {document['email']} already exists") from error
        return Account.model_validate({**document, "id": document["_id"]})

    async def authenticate(self, credentials: Credentials) -> Account:
        document = await self.table().find_one({"email": credentials.email.lower()})
        if document is None or document["password_hash"] is None:  # unknown, or not claimed yet
            verify_password(_DECOY_HASH, credentials.password)
            raise Unauthorized("wrong e-mail or password")
        if not verify_password(document["password_hash"], credentials.password):
            raise Unauthorized("wrong e-mail or password")
        return Account.model_validate({**document, "id": document["_id"]})

    async def get(self, account_id: UUID) -> Account | None:
        document = await self.table().find_one({"_id": str(account_id)})
        return Account.model_validate({**document, "id": document["_id"]}) if document else None
