"""Page objects: journeys talk to these, not to selectors, so markup can change in one place."""

from dataclasses import dataclass

PASSWORD = "correct-horse-battery"


@dataclass
class LoginPage:
    page: object

    def open(self):
        self.page.goto("/akun/masuk/")
        return self

    def login(self, username: str, password: str = PASSWORD):
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("[data-testid=login-submit]")
        return self


@dataclass
class DirectoryPage:
    page: object

    def open(self):
        self.page.click("[data-testid=nav-directory]")
        return self

    def search(self, text: str):
        self.page.fill("#id_q", text)
        self.page.click("[data-testid=directory-search] button[type=submit]")
        return self

    def results(self) -> list[str]:
        return self.page.locator("[data-testid=directory-results] [data-testid=person-link]").all_inner_texts()
