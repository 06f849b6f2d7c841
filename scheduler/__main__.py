"""``python -m scheduler``: run the scheduler service (what the compose file starts)."""

from scheduler.main import main

if __name__ == "__main__":
    main()
