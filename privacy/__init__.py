"""Personal data (UU 27/2022): a user's data export and account deletion by anonymisation."""
