from shared.persistence.db import Database, create_engine

__all__ = ["Database", "create_engine"]
