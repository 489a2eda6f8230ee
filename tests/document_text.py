"""What a reader sees of an official document's HTML: its words, the stylesheet and tags dropped (inline tags join the
words they wrap), spaces folded."""

import re


def words(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"</?(strong|em|span)\b[^>]*>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ").split())
