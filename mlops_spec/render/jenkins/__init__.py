"""The Jenkins target's parts (its cron translation); the target is ``targets/jenkins.py``."""
