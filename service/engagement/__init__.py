"""What happens after a match: consultation requests and their SLA clock, capacity, feedback,
notifications and the events the bureau's platform subscribes to."""
