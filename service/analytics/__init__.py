"""What the bureau studies: supply and demand by country and practice area."""
