"""The Prefect flows and their deployments: thin, in batches, retries on the decorator."""
