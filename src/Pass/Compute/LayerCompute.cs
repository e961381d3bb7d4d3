using System.Text.Json.Serialization;

namespace SparseCore.Pass.Compute;

/// <summary>
/// One conv or linear layer of a compute profile: its multiply-accumulates per image and the median
/// time of its forward at the profile's batch, in the dense network and — when a pruned network is
/// explained against it — in the pruned one (null otherwise).
/// </summary>
/// <param name="Name">The layer's dotted name, the same in both networks ("layer2.0.conv1").</param>
/// <param name="Kind">"conv" or "linear", as the MACs counter names it.</param>
/// <param name="Input">The layer's input per image in the pruned network (the dense one's when profiled alone), e.g. "9×14×14".</param>
public sealed record LayerCompute(string Name, string Kind, string Input, long DenseMacs, double DenseMs, long? PrunedMacs = null, double? PrunedMs = null)
{
    /// <summary>What the MACs promise: dense MACs / pruned MACs.</summary>
    [JsonIgnore]
    public double? PredictedSpeedup => PrunedMacs is long p && p > 0 ? (double)DenseMacs / p : null;

    /// <summary>What the clock says: dense time / pruned time.</summary>
    [JsonIgnore]
    public double? MeasuredSpeedup => PrunedMs is double p && p > 0 ? DenseMs / p : null;
}
