using System.Text.Json.Serialization;

namespace SparseCore.Pass.Compute;

/// <summary>
/// Where a network's forward time goes, layer by layer, and how much of pruning's MACs reduction
/// turns into time (<see cref="ComputeProbe"/>): every conv and linear layer timed alone at its real
/// input shape, the whole forward timed end to end, and the difference — batch-norm, activations,
/// residual adds, pooling, a prompt, and the bookkeeping between ops — as one row of its own, so the
/// layer rows and that row add up to the end-to-end time by construction. The pruned figures are
/// null when a dense network is profiled alone.
/// </summary>
/// <param name="Batch">Images per forward.</param>
/// <param name="Threads">Host threads the CPU kernels may use (Environment.ProcessorCount).</param>
/// <param name="Warmup">Untimed forwards before each measurement.</param>
/// <param name="Repetitions">Timed forwards per measurement; the median is reported.</param>
public sealed record ComputeProfile(int Batch, int Threads, int Warmup, int Repetitions, IReadOnlyList<LayerCompute> Layers,
                                    double DenseForwardMs, double? PrunedForwardMs = null)
{
    [JsonIgnore]
    public bool HasPruned => PrunedForwardMs is not null;

    [JsonIgnore]
    public long DenseMacs => Layers.Sum(l => l.DenseMacs);

    [JsonIgnore]
    public long? PrunedMacs => HasPruned ? Layers.Sum(l => l.PrunedMacs ?? 0) : null;

    /// <summary>End-to-end time less the conv and linear layers' times: everything else the forward does.</summary>
    [JsonIgnore]
    public double DenseRestMs => DenseForwardMs - Layers.Sum(l => l.DenseMs);

    [JsonIgnore]
    public double? PrunedRestMs => PrunedForwardMs - Layers.Sum(l => l.PrunedMs ?? 0);

    [JsonIgnore]
    public double? PredictedSpeedup => PrunedMacs is long p && p > 0 ? (double)DenseMacs / p : null;

    [JsonIgnore]
    public double? MeasuredSpeedup => PrunedForwardMs is double p && p > 0 ? DenseForwardMs / p : null;

    /// <summary>Achieved GFLOP/s of <paramref name="macs"/> per image (2 FLOPs each) over <paramref name="batch"/> images in <paramref name="ms"/>.</summary>
    public static double Gflops(long macs, int batch, double ms) => 2.0 * macs * batch / (ms * 1e6);
}
