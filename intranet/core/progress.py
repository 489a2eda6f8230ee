"""Progress bars and summaries for management commands: one line that updates in place on a terminal, and a plain
line every 10% when output is a log file (CI), so long work always shows it is alive."""

import time


class Progress:
    """Use with a Django management command's OutputWrapper (self.stdout)."""

    def __init__(self, stream, label: str, total: int, width: int = 30):
        self.stream, self.label, self.total, self.width = stream, label, max(total, 0), width
        self.done = 0
        self.started = time.monotonic()
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last_decile = -1

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total) if self.total else self.done + n
        self._draw()

    def _draw(self, final: bool = False) -> None:
        frac = (self.done / self.total) if self.total else 1.0
        if self._tty:
            filled = int(frac * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{self.label:<28} [{bar}] {self.done}/{self.total}", ending="\n" if final else "")
            self.stream.flush()
        else:
            decile = int(frac * 10)
            if decile != self._last_decile or final:
                self._last_decile = decile
                self.stream.write(f"{self.label}: {self.done}/{self.total} ({frac:.0%})")

    def finish(self) -> float:
        self.done = self.total or self.done
        elapsed = time.monotonic() - self.started
        if self._tty:
            self._draw(final=True)
        else:
            self.stream.write(f"{self.label}: done in {elapsed:.1f}s")
        return elapsed

    def __enter__(self):
        self._draw()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.finish()
