"""The matching service: ranking candidate-vacancy pairs and learning from outcomes."""
