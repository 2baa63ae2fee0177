"""The demo week that ``make run`` plays on the running services, through their public APIs.

Employers sign up, staff approve them, they post vacancies; seekers register; matches and
notifications flow (some by e-mail, into a local mailbox); the weekly fair is scheduled,
held and its outcomes recorded; the matcher retrains on them. The market is the seeded
synthetic one (``shared.synthetic``), whose hidden fit decides what the simulated people do.
"""
