"""The typed model of mlops.yaml."""
