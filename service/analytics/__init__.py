"""What the bureau measures: supply and demand, and how fast needs find a lawyer."""
