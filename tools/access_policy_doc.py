"""Print docs/access-policy.md from the access policy (api/policy.py)."""

from __future__ import annotations

from api.policy import policy_page

if __name__ == "__main__":
    print(policy_page(), end="")
