"""Password hashing with argon2id (the OWASP recommendation), tuned for a 2-core server.

A verification costs tens of milliseconds of CPU: the API runs it in the hashing lane's thread
(service/offload.py, `verify_off_loop`), never on the event loop, so a flood of sign-ins queues there
while health checks and queries keep being answered.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.offload import HASHING

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing of a wrong username and a wrong
# password alike, so the login endpoint does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_off_loop(password_hash: str | None, password: str) -> bool:
    """`verify_password` in the hashing lane (503 `server_busy` when its queue is full)."""
    return await HASHING.run(lambda: verify_password(password_hash, password))
