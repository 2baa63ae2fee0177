"""Job seekers sign up and sign in here."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.seeker.api.deps import StoreDep
from services.seeker.domain.model import Contact, Language, Phone, Profile, Seeker
from shared.api.auth import LOGIN_ERRORS, Authenticate, Token, token_for
from shared.api.security import Tokens
from shared.auth import Principal, Role
from shared.auth.accounts import Account, Accounts, Credentials, Password

router = APIRouter(prefix="/auth", tags=["auth"])


class SignUp(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr = Field(description="sign-in name, and the contact e-mail until you change it")
    password: str = Password
    display_name: str = Field(min_length=1, max_length=100, examples=["王小明"])
    phone: Phone | None = None
    notification_language: Language = "zh-CN"


@router.post(
    "/register", status_code=status.HTTP_201_CREATED, responses={409: {"description": "e-mail taken"}}
)
async def register(sign_up: SignUp, store: StoreDep) -> Account:
    """Create a seeker account with a first profile; complete it with ``PUT /me/profile``."""
    profile = Profile(
        display_name=sign_up.display_name,
        contact=Contact(email=sign_up.email, phone=sign_up.phone),
        notification_language=sign_up.notification_language,
    )
    seeker = Seeker.register(profile)
    account = Accounts.document(
        sign_up.email, sign_up.password, Role.SEEKER, sign_up.display_name, _id=str(seeker.id)
    )
    await store.add_seeker(account, seeker)
    return Account.model_validate({**account, "id": account["_id"]})


@router.post("/login", responses=LOGIN_ERRORS)
async def login(credentials: Credentials, store: StoreDep, tokens: Tokens, sign_in: Authenticate) -> Token:
    """Sign in; after repeated failures for this account or from this address, wait (429)."""
    account = await sign_in(store.accounts, credentials)
    return token_for(tokens, Principal(account_id=account.id, role=account.role))
