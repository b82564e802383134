"""What the bureau studies: supply and demand by country and practice area, and how fast needs find a lawyer."""
