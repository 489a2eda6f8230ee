from celery import shared_task


@shared_task(name="cms.news.render_article_copies")
def render_article_copies(page_id: int) -> int:
    from .services import keep_rendered_articles

    return keep_rendered_articles(page_id)
