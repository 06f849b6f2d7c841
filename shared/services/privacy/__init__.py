"""Personal data: anonymising people (retention after they left, erasure on request), legal holds, and the
subject-access export of everything stored about one person."""
