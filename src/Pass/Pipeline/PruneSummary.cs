using SparseCore.Pass.Compute;

namespace SparseCore.Pass.Pipeline;

/// <summary>
/// The record of one `sparsecore prune` run, saved as summary.json in its run folder: everything
/// report.md shows, kept as data so `sparsecore report` can compare runs without re-measuring them.
/// </summary>
public sealed record PruneSummary
{
    /// <summary>pass, l1, group-l1, slim, group-l2, uniform, random, random-weights, omp, snip, synflow (or an ablation's name).</summary>
    public required string Method { get; init; }

    public required string Model { get; init; }
    public required string Data { get; init; }

    /// <summary>Residual mode of the extraction: "shared" or "union"; <see cref="WeightMode"/> for weight masks (no extraction).</summary>
    public required string Mode { get; init; }

    /// <summary>The mode of a run whose method chose weight masks.</summary>
    public const string WeightMode = "weights";

    /// <summary>Channel sparsity s over the distinct masks; with a FLOPs target, the s that met it.</summary>
    public double? Sparsity { get; init; }

    /// <summary>Fraction of the dense MACs the extracted network was asked to keep (--flops), if any.</summary>
    public double? FlopsTarget { get; init; }

    /// <summary>--round-channels K: each rounding group's kept channels a multiple of K (1: not rounded).</summary>
    public int RoundChannels { get; init; } = 1;

    public required bool PromptInStage2 { get; init; }
    public required ulong Seed { get; init; }

    /// <summary>The command line that made the run, so every number can be reproduced.</summary>
    public required string Command { get; init; }

    /// <summary>The backend and device the accuracies and latencies were measured on.</summary>
    public required string Device { get; init; }

    public required RunMeasure Dense { get; init; }

    /// <summary>The extracted network: its MACs and parameters are those of the smaller model.</summary>
    public required RunMeasure Pruned { get; init; }

    /// <summary>MACs of the masked network counted per layer (equal to Pruned.Macs in "shared" mode,
    /// at most it in "union" mode, whose extraction keeps the union on each residual stream).</summary>
    public required long MaskedMacs { get; init; }

    public required LatencySetup Latency { get; init; }

    /// <summary>Channel methods: the dense and the extracted network's conv and linear layers timed alone, at the latency batch (null for weight methods).</summary>
    public ComputeProfile? Compute { get; init; }

    /// <summary>Every prunable layer in module order with its dense width and the channels kept.</summary>
    public required IReadOnlyList<LayerKeep> Layers { get; init; }

    public required StageTimes Stages { get; init; }

    /// <summary>
    /// Weight masks: the parameters that are not pruned away (every parameter but the masked-out
    /// weights). A dense kernel still runs all of <see cref="RunMeasure.Macs"/>; <see cref="MaskedMacs"/>
    /// is the work of the kept weights alone. Null for channel methods, whose extracted network is smaller.
    /// </summary>
    public long? NonzeroParameters { get; init; }

    /// <summary>With a prompt in stage 2: the test accuracy with and without it (one of them is <see cref="RunMeasure.TestAccuracy"/>, per <see cref="PromptAtTest"/>).</summary>
    public PromptAblation? PromptAblation { get; init; }

    /// <summary>Whether the tested network runs behind its prompt (null without a prompt).</summary>
    public bool? PromptAtTest { get; init; }

    /// <summary>Source class of each target class when the method made a label mapping.</summary>
    public IReadOnlyList<int>? LabelMap { get; init; }
}

/// <summary>Test accuracy of the same pruned network with its prompt and without it.</summary>
public sealed record PromptAblation(double WithPrompt, double WithoutPrompt);

/// <summary>One network's outcome. Accuracies are fractions in [0, 1]; MACs and parameters are per
/// image, from the shape walk; NaN marks a figure that was not measured.</summary>
public sealed record RunMeasure(double ValidationAccuracy, double TestAccuracy, long Macs, long Parameters, double LatencyMs);

/// <summary>The conditions of the latency measurement, stated beside every latency reported.</summary>
public sealed record LatencySetup(int Batch, int Threads, int Warmup, int Repetitions);

/// <summary>A prunable layer's dense output channels and how many the pruned network keeps (for weight masks: a masked weight tensor's size and its kept weights).</summary>
public sealed record LayerKeep(string Name, int Channels, int Kept);

/// <summary>Wall time of the two stages, so that longer runs can be planned from short ones.</summary>
public sealed record StageTimes(int Stage1Epochs, int Stage1Images, double Stage1Seconds, int Stage2Epochs, double Stage2Seconds);
