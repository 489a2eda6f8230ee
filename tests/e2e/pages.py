"""Page objects: journeys talk to these, not to selectors, so markup can change in one place."""

from dataclasses import dataclass

PASSWORD = "correct-horse-battery"


def submit(page, selector: str):
    """Click a button that posts a form, and wait for the page it leads to: reading the old page while the new one
    loads would make a journey flaky."""
    with page.expect_navigation():
        page.click(selector)


@dataclass
class LoginPage:
    page: object

    def open(self):
        self.page.goto("/akun/masuk/")
        return self

    def login(self, username: str, password: str = PASSWORD):
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        submit(self.page, "[data-testid=login-submit]")
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


@dataclass
class TwoFactorPage:
    page: object

    def verify(self, token: str):
        self.page.fill("[data-testid=otp-form] input[name=token]", token)
        submit(self.page, "[data-testid=otp-form] button[type=submit]")
        return self


@dataclass
class DashboardPage:
    page: object

    def open(self):
        self.page.goto("/")
        return self

    def news_titles(self) -> list[str]:
        return self.page.locator("[data-testid=panel-news] li a").all_inner_texts()


@dataclass
class CoursePage:
    """A training course reached from the training section's list."""

    page: object

    def open_from_index(self, title: str):
        self.page.click("[data-testid=nav-training]")
        self.page.click(f"[data-testid=course-list] a:text-is('{title}')")
        return self

    def enrol(self):
        submit(self.page, "[data-testid=enrol]")
        return self

    def complete_every_module(self):
        for i in range(self.page.locator("[data-testid=module-link]").count()):
            self.page.locator("[data-testid=module-link]").nth(i).click()
            submit(self.page, "[data-testid=complete-module]")
        return self

    def take_quiz(self, answers: list[str]):
        """answers: the text of the chosen choice for each question, in order."""
        self.page.click("[data-testid=take-quiz]")
        for i, answer in enumerate(answers):
            self.page.locator("[data-testid=quiz-form] fieldset").nth(i).get_by_label(answer, exact=True).check()
        submit(self.page, "[data-testid=quiz-submit]")
        return self

    def progress(self) -> str:
        return self.page.inner_text("[data-testid=course-progress]")


@dataclass
class PolicyPage:
    page: object

    def open_from_index(self, title: str):
        self.page.click("[data-testid=nav-policies]")
        self.page.click(f"[data-testid=policy-list] a:text-is('{title}')")
        return self

    def acknowledge(self):
        submit(self.page, "[data-testid=acknowledge]")
        return self

    def acknowledgement(self) -> str:
        return self.page.inner_text("[data-testid=acknowledgement]")


@dataclass
class LeaveFormPage:
    page: object

    def open(self):
        self.page.goto("/cuti/ajukan/")
        return self

    def fill(self, *, leave_type_id: int, start, end, reason: str):
        self.page.select_option("#id_leave_type", str(leave_type_id))
        self.page.fill("#id_start_date", start.isoformat())
        self.page.fill("#id_end_date", end.isoformat())
        self.page.fill("#id_reason", reason)
        return self

    def preview(self):
        submit(self.page, "[data-testid=leave-preview-button]")
        return self

    def preview_text(self) -> str:
        return self.page.inner_text("[data-testid=leave-preview]")

    def submit(self):
        submit(self.page, "[data-testid=leave-submit]")
        return self


@dataclass
class LeaveRequestPage:
    page: object

    def open_from_inbox(self, employee_name: str):
        self.page.goto("/cuti/persetujuan/")
        self.page.click(f"[data-testid=leave-inbox] a:text-is('{employee_name}')")
        return self

    def status(self) -> str:
        return self.page.inner_text("[data-testid=leave-status]")

    def decide(self, outcome: str, reason: str = ""):
        form = self.page.locator("[data-testid=leave-decide-form]")
        form.locator(f"input[name=outcome][value={outcome}]").check()
        if reason:
            form.locator("textarea[name=reason]").fill(reason)
        submit(self.page, "[data-testid=leave-decide]")
        return self

    def steps(self) -> list[str]:
        return self.page.locator("[data-testid=leave-steps] li").all_inner_texts()


@dataclass
class PayrollPage:
    page: object

    def open(self):
        self.page.goto("/slip-gaji/penggajian/")
        return self

    def upload(self, path, reason: str = ""):
        self.page.set_input_files("[data-testid=upload-form] input[type=file]", str(path))
        if reason:
            self.page.fill("[data-testid=upload-form] [name=reason]", reason)
        self.page.click("[data-testid=upload-submit]")
        # Checking runs in the background; the batch page reloads itself until it has a verdict.
        self.page.wait_for_selector(
            "[data-testid=batch-status]:not([data-status=pending]):not([data-status=validating])"
        )
        return self

    def status(self) -> str:
        return self.page.get_attribute("[data-testid=batch-status]", "data-status")

    def problems(self) -> list[list[str]]:
        rows = self.page.locator("[data-testid=batch-errors] [data-testid=batch-error]")
        return [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]

    def publish(self):
        submit(self.page, "[data-testid=batch-publish]")
        return self


@dataclass
class DocumentPage:
    page: object

    def file_new(self, *, title: str, category_id: int, classification: int, subject_nip: str, path):
        self.page.goto("/dokumen/baru/")
        self.page.fill("#id_title", title)
        self.page.select_option("#id_category", str(category_id))
        self.page.select_option("#id_classification", str(classification))
        self.page.fill("#id_subject_nip", subject_nip)
        self.page.set_input_files("#id_file", str(path))
        submit(self.page, "[data-testid=document-form] button[type=submit]")
        return self

    def share(self, *, username: str, until, download: bool = True):
        section = self.page.locator("[data-testid=sharing]")
        section.locator("input[name=user]").fill(username)
        if download:
            section.locator("input[name=perms][value=download]").check()
        section.locator("input[name=expires_on]").fill(until.isoformat())
        submit(self.page, "[data-testid=sharing] [data-testid=share-submit]")
        return self

    def grants(self) -> list[str]:
        return self.page.locator("[data-testid=sharing] tbody tr").all_inner_texts()
