namespace SparseCore.Cli.Sweeps;

/// <summary>
/// The order a grid's cells run in: by priority; within a priority seed by seed (so a finished
/// seed is a complete comparison before the next begins); within a seed, groups in file order,
/// budgets, then methods. A matched cell must come after the cell it takes its MACs from.
/// </summary>
public static class CellPlan
{
    public const string NoPromptLabel = "pass-noprompt";

    /// <summary>The --method a label runs ("pass-noprompt" is PASS with --no-prompt).</summary>
    public static string MethodOf(string label) => label == NoPromptLabel ? "pass" : label;

    public static IReadOnlyList<SweepCell> Cells(Grid grid)
    {
        var cells = new List<SweepCell>();
        foreach (int priority in grid.Cells.Select(g => g.Priority).Distinct().Order())
            foreach (ulong seed in grid.Seeds)
                foreach (var group in grid.Cells.Where(g => g.Priority == priority))
                {
                    var budgets = group.Sparsity is { Count: > 0 } s ? s.Select(v => ((double?)v, (double?)null)) : group.Flops!.Select(v => ((double?)null, (double?)v));
                    foreach (var (sparsity, flops) in budgets)
                        foreach (var method in group.Methods)
                            cells.Add(new SweepCell(method, sparsity, flops, seed, priority, group.MatchMacsOf, group.Args));
                }
        return cells;
    }

    /// <summary>A matched cell whose reference is not planned, or planned later; null when the order holds.</summary>
    internal static (string Field, string Problem)? OrderProblem(Grid grid)
    {
        var cells = Cells(grid);
        var names = cells.Select(c => c.Name).ToList();
        if (names.Distinct().Count() != names.Count)
            return ("cells", $"the cell {names.GroupBy(n => n).First(g => g.Count() > 1).Key} is planned twice");
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i].ReferenceName is not { } reference) continue;
            int at = names.IndexOf(reference);
            if (at < 0) return ("cells", $"{cells[i].Name} takes its MACs from {reference}, which the grid does not plan");
            if (at > i) return ("cells", $"{cells[i].Name} takes its MACs from {reference}, which runs after it (put the reference's group first, at the same or an earlier priority)");
        }
        return null;
    }
}
