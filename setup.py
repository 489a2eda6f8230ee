"""Packaging: the product's apps plus its site-wide files, in the repository's own layout.

`intranet/`, `hr/`, `cms/`, `api/` and `demo/` are packages as they stand. The site-wide `templates/`, `static/` and
`locale/` folders and `deploy/` (gunicorn and nginx configuration) ship inside the wheel as `serambi_site.<folder>`;
settings find them there when the code runs from an installed wheel rather than from a checkout."""

from setuptools import find_namespace_packages, setup

APPS = find_namespace_packages(include=["intranet*", "hr*", "cms*", "api*", "demo*"])
SITE = ("templates", "static", "locale", "deploy")

setup(
    packages=APPS + [f"serambi_site.{folder}" for folder in SITE],
    package_dir={f"serambi_site.{folder}": folder for folder in SITE},
    package_data={
        **{package: ["*.html", "*.txt", "*.po", "*.mo", "*.css", "*.js", "*.svg", "*.png", "*.ico", "*.json", "*.md", "*.csv", "*.xlsx"]
           for package in APPS},
        **{f"serambi_site.{folder}": ["**/*"] for folder in SITE},
    },
    exclude_package_data={"": ["*.pyc"], "serambi_site.deploy": ["*.env", ".env", "tls/*"]},
)
