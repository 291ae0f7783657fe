"""Staff users, their roles and store/region assignment, login, lockout and 2FA."""
