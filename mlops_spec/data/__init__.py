"""Readers of training and production data (CSV, Parquet), shared by train and drift."""
