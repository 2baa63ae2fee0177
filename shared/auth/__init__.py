"""Accounts shared by every service: roles, password hashing, signed expiring tokens."""

from shared.auth.passwords import hash_password, verify_password
from shared.auth.tokens import InvalidToken, Principal, Role, TokenIssuer

__all__ = ["InvalidToken", "Principal", "Role", "TokenIssuer", "hash_password", "verify_password"]
