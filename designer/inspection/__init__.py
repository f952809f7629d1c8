"""Looking inside a network: where a training step's time and memory go, and why a trained
network answered as it did."""
