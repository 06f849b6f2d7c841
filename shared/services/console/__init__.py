"""The HR console's sign-in and sessions (the web app under ``/console``; pages live in ``api/console``)."""
