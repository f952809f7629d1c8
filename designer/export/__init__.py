"""Export a project: a standalone training script, weights, ONNX and TorchScript."""
