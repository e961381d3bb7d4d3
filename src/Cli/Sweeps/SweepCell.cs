using System.Globalization;

namespace SparseCore.Cli.Sweeps;

/// <summary>
/// One planned cell: a method label at a budget on one seed's dense network. <see cref="Budget"/>
/// is the group's budget as the report groups it ("s=0.5", "flops=0.3"); a matched cell's is the
/// sparsity of the reference cell it takes its MACs from (<see cref="MatchedTo"/>).
/// </summary>
public sealed record SweepCell(string Method, double? Sparsity, double? Flops, ulong Seed, int Priority, string? MatchedTo, IReadOnlyList<string> Args)
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public string Budget => Sparsity is { } s ? "s=" + s.ToString("R", C) : "flops=" + Flops!.Value.ToString("R", C);

    /// <summary>The cell's file and folder name: "pass-s0.5-seed0", "l1-at-pass-s0.5-seed0", "uniform-flops0.3-seed1".</summary>
    public string Name => (MatchedTo is { } r ? $"{Method}-at-{r}-" : Method + "-") +
                          (Sparsity is { } s ? "s" + s.ToString("R", C) : "flops" + Flops!.Value.ToString("R", C)) +
                          string.Create(C, $"-seed{Seed}");

    /// <summary>The name of the cell whose MACs a matched cell takes.</summary>
    public string? ReferenceName => MatchedTo is null ? null : (this with { Method = MatchedTo, MatchedTo = null }).Name;
}
