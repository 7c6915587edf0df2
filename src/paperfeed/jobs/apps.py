from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "paperfeed.jobs"
    verbose_name = "Scheduled jobs"

    def ready(self) -> None:
        from paperfeed.jobs import runner, schedule
        from paperfeed.ops import server

        # `serve` and `demo` check the schedules first, then start the scheduler beside
        # gunicorn; ops never names this app. (The jobs' rows are made by the first scheduler,
        # not by migrate: a new database stays empty for `migrate-data` and restores.)
        server.register_companion(runner.start_scheduler_process, check=schedule.load_schedules)
