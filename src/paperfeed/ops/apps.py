from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "paperfeed.ops"

    def ready(self) -> None:
        from paperfeed.core import preflight
        from paperfeed.ops import database

        # The generic preflight every command runs learns here how to name and check the
        # database in use (it never reads the vendor itself).
        preflight.use_database_checks(database.CHECKS)
