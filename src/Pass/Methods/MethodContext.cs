using SparseCore.Kernels;
using SparseCore.Models.Modules;
using SparseCore.Models.Training;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Pass.Methods;

/// <summary>Everything a method may use to select: the run's options, data and dense network, and for channel methods the graph, budget and cost model.</summary>
public sealed class MethodContext
{
    public required PruneOptions Options { get; init; }
    public required PruneData Data { get; init; }

    /// <summary>The dense network in evaluation mode; a method may train it (slimming does), the pipeline then prunes what it left.</summary>
    public required Module Dense { get; init; }

    public required ChannelGraph Graph { get; init; }

    /// <summary>The channel budget at the run's --sparsity or --flops (channel methods).</summary>
    public required ChannelBudget Budget { get; init; }

    /// <summary>MACs of the network extracted with given masks (for per-layer rules under a FLOPs budget).</summary>
    public required Func<IReadOnlyList<float[]>, long> MacsOf { get; init; }

    public required Backend Backend { get; init; }

    /// <summary>Where the method may keep files of its own (a search checkpoint) for a resumed run.</summary>
    public required string RunFolder { get; init; }

    /// <summary>Lines for the person running it.</summary>
    public required Action<string> Log { get; init; }

    /// <summary>A progress display for a training loop, or null for none.</summary>
    public required Func<ITrainingObserver?> Progress { get; init; }

    public ResidualMode Mode => Options.Mode;
}
