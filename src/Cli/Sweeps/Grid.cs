namespace SparseCore.Cli.Sweeps;

/// <summary>
/// A sweep's grid file (JSON): one model on one data set, a dense network per seed, one recipe,
/// and groups of cells (methods × budgets) in priority order. Relative paths are relative to the
/// folder the sweep is run from (the repository root), so a committed grid names committed files.
/// Read and checked by <see cref="GridFile"/>; expanded into ordered cells by <see cref="CellPlan"/>.
/// </summary>
public sealed record Grid
{
    /// <summary>The store's folder name under the results folder: letters, digits, '-', '_' and '.'.</summary>
    public required string Name { get; init; }

    public required string Model { get; init; }
    public required string Data { get; init; }
    public required IReadOnlyList<ulong> Seeds { get; init; }
    public required DenseRecipe Dense { get; init; }

    /// <summary>`sparsecore prune` options every cell shares (stage epochs, subsets, mode …); the sweep sets method, budget, seed, data and paths itself.</summary>
    public IReadOnlyList<string> Recipe { get; init; } = [];

    /// <summary>Why the recipe is what it is, in words: copied into PLAN.md.</summary>
    public string? Why { get; init; }

    /// <summary>The method every other one is compared with, seed by seed (a method label of the grid).</summary>
    public string Reference { get; init; } = "pass";

    public required IReadOnlyList<CellGroup> Cells { get; init; }
}

/// <summary>Where each seed's dense network lives ("{seed}" in the path) and the `sparsecore train` options that make it when it is missing.</summary>
public sealed record DenseRecipe
{
    public required string Path { get; init; }
    public IReadOnlyList<string> Train { get; init; } = [];

    public string For(ulong seed) => Path.Replace("{seed}", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}

/// <summary>
/// Methods × budgets at one priority (1 runs first). A group with <see cref="MatchMacsOf"/> runs
/// each method with --flops set to the MACs ratio the named method's cell reached at the same
/// sparsity and seed, so every baseline is compared at the MACs the reference actually used.
/// </summary>
public sealed record CellGroup
{
    public int Priority { get; init; } = 1;

    /// <summary>Method labels: a registered `--method` name, or "pass-noprompt" (PASS's ablation).</summary>
    public required IReadOnlyList<string> Methods { get; init; }

    public IReadOnlyList<double>? Sparsity { get; init; }
    public IReadOnlyList<double>? Flops { get; init; }
    public string? MatchMacsOf { get; init; }

    /// <summary>Extra `sparsecore prune` options for these cells only.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];
}
