"""The three-stage approval of social media site requests (policy 8.1, A.3.2, A.3.5, A.3.6)."""
