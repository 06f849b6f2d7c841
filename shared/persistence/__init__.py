from shared.persistence.db import Database, DbTimeouts, create_engine

__all__ = ["Database", "DbTimeouts", "create_engine"]
