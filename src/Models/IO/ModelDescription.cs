namespace SparseCore.Models.IO;

/// <summary>
/// What is needed to rebuild a network before loading its weights: the backbone's name, the input
/// it was built for, and — for a pruned network — its per-layer widths in
/// <see cref="Zoo.LayerWidths"/>' text form ("conv1=12,layer1.0.conv1=9,…"; null for the dense default),
/// and for a network that runs behind a learned visual prompt, the prompt's spec ("pad:2"; null for
/// none), which the layer that knows prompts (SparseCore.Pass) parses.
/// </summary>
public sealed record ModelDescription(string Name, int Channels, int Height, int Width, int Classes, string? Widths = null, string? Prompt = null);
