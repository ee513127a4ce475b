"""The digest's unsubscribe link: signed with SECRET_KEY, so it works without a
login and cannot be made for someone else. It carries the user's id alone and
never expires (an old e-mail's link still works)."""

from django.core import signing

SALT = "attention.digest.unsubscribe"


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"user": user_id}, salt=SALT, compress=True)


def user_id_from(token: str) -> int | None:
    """The user the token was made for, or None for a forged or damaged one."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    user = data.get("user") if isinstance(data, dict) else None
    return user if isinstance(user, int) else None
