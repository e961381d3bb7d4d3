using System.Text.Json.Serialization;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Pass.Results;

/// <summary>
/// A finished cell as the results store keeps it (results/&lt;grid&gt;/&lt;cell&gt;.json): the
/// figures a comparison reads, flat, with where and by what they were made (command, commit,
/// device, threads), and the run's whole <see cref="PruneSummary"/> beside them. Accuracies are
/// fractions; MACs and parameters per image, counted as the run comparison counts them (a weight
/// mask's nonzero work).
/// </summary>
public sealed record CellRecord
{
    public required string Cell { get; init; }
    public required string Grid { get; init; }
    public required string Method { get; init; }

    /// <summary>The group's budget ("s=0.5", "flops=0.3"): a matched cell's is its reference's.</summary>
    public required string Budget { get; init; }

    public required ulong Seed { get; init; }
    public required int Priority { get; init; }

    /// <summary>The reference cell whose MACs a matched cell was run at, with both MACs.</summary>
    public MacsMatch? Match { get; init; }

    public required long Macs { get; init; }
    public required long DenseMacs { get; init; }
    public required long Parameters { get; init; }
    public required double ValidationAccuracy { get; init; }
    public required double TestAccuracy { get; init; }
    public required double DenseTestAccuracy { get; init; }
    public required double LatencyMs { get; init; }
    public required double DenseLatencyMs { get; init; }
    public required double Stage1Seconds { get; init; }
    public required double Stage2Seconds { get; init; }

    /// <summary>Wall time of the whole cell (data, measures and reports included), for the sweep's ETA.</summary>
    public required double CellSeconds { get; init; }

    public required string Command { get; init; }

    /// <summary>The commit the sweep's program was built from ("+modified" when its source differed from it).</summary>
    public required string Commit { get; init; }

    public required string Device { get; init; }
    public required int Threads { get; init; }
    public required DateTime FinishedUtc { get; init; }
    public required PruneSummary Summary { get; init; }
}

/// <summary>A matched cell's MACs against its reference's: within <see cref="Tolerance"/> or the cell is not stored.</summary>
public sealed record MacsMatch(string Reference, long ReferenceMacs, long Macs)
{
    public const double Tolerance = 0.01;

    [JsonIgnore]
    public double Deviation => (double)Macs / ReferenceMacs - 1;

    [JsonIgnore]
    public bool Holds => Math.Abs(Deviation) <= Tolerance;
}
