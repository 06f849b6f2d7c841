"""A local SMTP server with a mailbox (aiosmtpd): what `chronos demo` and the tests send e-mail to."""
