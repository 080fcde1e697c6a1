"""The payment gateway stand-in command."""
