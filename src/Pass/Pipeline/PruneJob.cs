using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels;
using SparseCore.Models.Data;
using SparseCore.Models.Training;

namespace SparseCore.Pass.Pipeline;

/// <summary>
/// One prune run to do: the options, the data and device it runs on, where the dense network comes
/// from, where the run folder goes (or which one to resume), and where its lines and progress go.
/// </summary>
public sealed record PruneJob
{
    public required PruneOptions Options { get; init; }
    public required ImageDataset Train { get; init; }
    public required ImageDataset Test { get; init; }
    public required Backend Backend { get; init; }

    /// <summary>A dense checkpoint to prune; null trains one first (--dense-epochs).</summary>
    public string? From { get; init; }

    /// <summary>The parent folder of a new run folder.</summary>
    public string Output { get; init; } = "runs";

    /// <summary>A run folder to continue from its last finished stage; null starts a new run.</summary>
    public string? Resume { get; init; }

    /// <summary>The command that asked for the run, recorded in command.txt and the summary.</summary>
    public string Command { get; init; } = "";

    /// <summary>Where the run's lines go (the command line prints them).</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>
    /// When set (`prune --profile`), the dense and the pruned network's latency forwards are profiled
    /// and each profiler handed here with "dense" or "pruned"; null leaves the probe unprofiled.
    /// </summary>
    public Action<string, Profiler>? LatencyProfiled { get; init; }

    /// <summary>A progress display per training loop, or null for none.</summary>
    public Func<ITrainingObserver?> Progress { get; init; } = () => null;
}

/// <summary>A finished run: its folder (masks, checkpoints, summary.json) and the summary.</summary>
public sealed record PruneOutcome(string RunFolder, PruneSummary Summary);
