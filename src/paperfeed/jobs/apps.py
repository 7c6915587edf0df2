from django.apps import AppConfig
from django.db.models.signals import post_migrate


class JobsConfig(AppConfig):
    name = "paperfeed.jobs"
    verbose_name = "Scheduled jobs"

    def ready(self) -> None:
        from paperfeed.jobs import runner, schedule
        from paperfeed.ops import server

        # `serve` and `demo` check the schedules first, then start the scheduler beside
        # gunicorn; ops never names this app.
        server.register_companion(runner.start_scheduler_process, check=schedule.load_schedules)
        # A row per job from `paperfeed init` on, so the admin lists them before any server ran.
        post_migrate.connect(_register_jobs, sender=self)


def _register_jobs(using="default", **kwargs) -> None:
    from paperfeed.jobs.runner import register_jobs
    from paperfeed.jobs.schedule import JOB_NAMES

    register_jobs(JOB_NAMES, using=using)
