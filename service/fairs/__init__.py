"""Trade fairs: participants, recommendations, the meeting schedule, repairs and exports."""
