"""`manage.py run`: one command for the embedded shop.

Migrates, loads demo data into an empty database, starts the periodic-job scheduler
and serves storefront, back office, API and WebSockets on one port (granian, ASGI,
one worker so that the in-memory channel layer is shared).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from zizhu.core.demo import demo_credentials, has_demo_data
from zizhu.core.scheduler import Scheduler


class Command(BaseCommand):
    help = "Migrate, load demo data when empty, and serve the shop (embedded profile)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")
        parser.add_argument(
            "--https",
            action="store_true",
            help="Serve over TLS with a self-signed certificate for localhost (made once under var/tls/).",
        )

    def handle(self, *args: object, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database is up to date."))
        if not options["no_demo"] and not has_demo_data():
            call_command("seed_demo")
        tls: dict[str, object] = {}
        if options["https"]:
            from zizhu.core.crypto import ensure_local_certificate

            cert, key = ensure_local_certificate(settings.VAR_DIR / "tls")
            tls = {"ssl_cert": cert, "ssl_key": key}
            self.stdout.write(f"TLS certificate: {cert} (self-signed: your browser asks once to trust it)")
        scheduler = Scheduler()
        scheduler.start()
        self._print_banner(str(options["host"]), int(options["port"]), https=bool(tls))  # type: ignore[arg-type]
        from granian import Granian

        Granian(
            "zizhu.config.asgi:application",
            address=str(options["host"]),
            port=int(options["port"]),  # type: ignore[arg-type]
            interface="asginl",
            workers=1,
            log_access=False,
            static_path_route=["/static"] if settings.PRODUCTION else None,
            static_path_mount=[settings.STATIC_ROOT] if settings.PRODUCTION else None,
            **tls,  # type: ignore[arg-type]
        ).serve()
        scheduler.stop()

    def _print_banner(self, host: str, port: int, *, https: bool = False) -> None:
        url = f"{'https' if https else 'http'}://{host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Zizhu is running at {url}"))
        self.stdout.write(f"  Back office: {url}backoffice/    API docs: {url}api/v1/docs")
        for role, login, password in demo_credentials():
            self.stdout.write(f"  Demo {role}: {login} / {password}")
        self.stdout.write("  Press Ctrl+C to stop.\n")
