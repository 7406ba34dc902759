"""州库共享 — the prefecture's shared store: who sees which place (scopes of the 州/县/乡 roles) and which desk
histories the shared store may take (codes are append-only upstream)."""
