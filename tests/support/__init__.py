"""Helpers the tests share: a loopback SMTP server, the hostile-input harness, the digest-kill
campaign. Benchmarks may import them; tests never import ``benchmarks``."""
