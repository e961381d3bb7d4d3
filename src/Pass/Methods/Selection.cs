namespace SparseCore.Pass.Methods;

/// <summary>What stage 1 cost: its epochs and images, and its wall time when the method measured it itself (else the pipeline's clock).</summary>
public sealed record StageOneCost(int Epochs, int Images, double? Seconds = null);

/// <summary>
/// A method's product: masks, the visual prompt it learnt with them (its values, in the run's
/// --prompt layout; null when it learnt none), what finding them cost, and — when the network's
/// head is answered through a label mapping (VPNs' frequency mapping) — the source class of each
/// target class, which stage 2 and the checkpoint keep.
/// </summary>
public abstract record Selection(float[]? Prompt, StageOneCost Cost)
{
    public int[]? LabelMap { get; init; }
}

/// <summary>One 0/1 vector per distinct channel mask of the channel graph, in graph order.</summary>
public sealed record ChannelSelection(IReadOnlyList<float[]> Masks, float[]? Prompt, StageOneCost Cost) : Selection(Prompt, Cost);

/// <summary>One 0/1 mask per prunable weight tensor, by parameter name ("layer1.0.conv1.weight"), each of that tensor's size.</summary>
public sealed record WeightSelection(IReadOnlyDictionary<string, float[]> Masks, float[]? Prompt, StageOneCost Cost) : Selection(Prompt, Cost);
