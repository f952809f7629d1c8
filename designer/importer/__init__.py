"""Import an nn.Module into a NetDesigner graph by tracing it with torch.fx."""
