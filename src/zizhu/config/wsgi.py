import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.config.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    """Pay each worker's one-time costs at start, not in its first customers' requests.

    Measured on this machine: importing the URL configuration (every app's views and API
    routers) 1–4.5 s, loading jieba's dictionary 1–2.6 s; a benchmark's single client saw
    them as 2–5 s outliers. No database access here.
    """
    from django.urls import reverse

    from zizhu.search.text import segmenter

    try:
        reverse("storefront:home")  # imports and indexes every URL pattern
        segmenter().cut("手机")  # jieba loads its dictionary on the first cut
    except Exception:  # a slow first request is better than a worker that does not start
        logging.getLogger(__name__).exception("Warm-up failed")


_warm_up()
