"""System checks of the running installation's own configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from config.secret_key import GENERATE, secret_key_problems


@register(Tags.security, deploy=True)
def secret_key_is_private_and_random(app_configs, **kwargs):
    """The settings refuse such a key only with DEBUG off; `check --deploy` says so whatever DEBUG is."""
    problems = secret_key_problems(settings.SECRET_KEY, project_folder=settings.BASE_DIR)
    if not problems:
        return []
    return [
        Error(
            f"SECRET_KEY is unfit for production: {'; '.join(problems)}.",
            hint=f"Set SECRET_KEY to a key made for this installation and kept out of the code: {GENERATE}",
            id="ops.E001",
        )
    ]
