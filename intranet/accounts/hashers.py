"""Local passwords (break-glass administrators, demo accounts; directory users' passwords stay in the directory).

Argon2id with OWASP's minimum parameters (19 MiB of memory, two passes, one lane): memory-hard, so guessing on
graphics cards costs far more than against PBKDF2, and a login costs a few tens of milliseconds of CPU instead of
the ~230 ms of Django's PBKDF2 with a million iterations, measured on the reference 2-core server. Hashes made with
other parameters or by PBKDF2 still verify and are re-hashed with these at the next successful login."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class SerambiArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
