"""E-mail alerts (issue 16): follow a city, a wijk, a sector or a fiche.

- tokens.py: signed links (itsdangerous): confirm (expires), manage (expires),
  unsubscribe (does not: a one-click link in an old mail keeps working);
- mailer.py: SMTP from FICHEKAART_SMTP_* and the message builder;
- subscriptions.py: subscribe (double opt-in, rate limit), confirm, unsubscribe;
- digest.py: the daily / weekly digest job (`fichekaart alerts send`), idempotent.
"""
