"""System checks of the attention settings, with stable ids.

attention.E001  AAC_ATTENTION_RULES names a rule there is not
attention.E002  AAC_ATTENTION_RULES sets something a rule does not have, or a
                threshold that is not a positive number
"""

from django.conf import settings
from django.core.checks import Error, register

from attention.rules import BY_KEY


@register()
def check_rule_settings(app_configs=None, **kwargs):
    errors = []
    configured = settings.AAC_ATTENTION_RULES
    if not isinstance(configured, dict):
        return [Error("AAC_ATTENTION_RULES must be a JSON object", id="attention.E002")]
    for key, values in configured.items():
        rule = BY_KEY.get(key)
        if rule is None:
            errors.append(
                Error(
                    f"AAC_ATTENTION_RULES names no rule {key!r}",
                    hint="The rules: " + ", ".join(BY_KEY),
                    id="attention.E001",
                )
            )
            continue
        errors.extend(_values(key, rule.defaults, values))
    return errors


def _values(key: str, defaults: dict, values: object) -> list[Error]:
    if not isinstance(values, dict):
        return [
            Error(
                f"AAC_ATTENTION_RULES[{key!r}] must be an object", id="attention.E002"
            )
        ]
    errors = []
    for name, value in values.items():
        if name == "enabled":
            ok = isinstance(value, bool)
        else:
            ok = name in defaults and (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and value > 0
            )
        if not ok:
            known = ", ".join(["enabled", *defaults])
            errors.append(
                Error(
                    f"AAC_ATTENTION_RULES[{key!r}][{name!r}] = {value!r} is not a "
                    "setting of that rule, or not a positive number (enabled: true "
                    "or false)",
                    hint=f"{key} takes: {known}",
                    id="attention.E002",
                )
            )
    return errors
