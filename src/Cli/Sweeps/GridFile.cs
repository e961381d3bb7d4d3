using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SparseCore.Models.Data;
using SparseCore.Pass.Methods;
using SparseCore.Pass.Results;

namespace SparseCore.Cli.Sweeps;

/// <summary>
/// Reads a <see cref="Grid"/> (camelCase JSON) and checks everything a sweep could otherwise
/// find wrong hours in: unknown methods, budgets out of range, a matched group whose reference
/// does not run first, options the sweep sets itself. Every problem is one line naming the file
/// and the field.
/// </summary>
public static class GridFile
{
    /// <summary>The results store's JSON, as its cells are read and written.</summary>
    internal static JsonSerializerOptions Json => CellFile.Json;

    /// <summary>Options a cell's command gets from the sweep, never from the recipe.</summary>
    internal static readonly string[] SweepOwned =
        ["--method", "--model", "--data", "--from", "--seed", "--sparsity", "--density", "--flops", "--output", "--resume", "--no-prompt", "--dense-epochs"];

    public static Grid Read(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"sweep: no grid file at {path}");
        Grid? grid;
        try
        {
            grid = JsonSerializer.Deserialize<Grid>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.Path ?? "$", $"not a sweep grid: {e.Message}", e);
        }
        if (grid is null) throw new DataFormatException(path, "$", "is JSON null, not a sweep grid");
        if (Problem(grid) is { } p) throw new DataFormatException(path, p.Field, p.Problem);
        return grid;
    }

    /// <summary>The grid as the store keeps it (grid.json): indented, defaults filled in.</summary>
    public static string Text(Grid grid) => JsonSerializer.Serialize(grid, Json) + "\n";

    /// <summary>A fingerprint of what the grid asks (not of its spacing), recorded in PLAN.md so a changed plan is noticed.</summary>
    public static string Fingerprint(Grid grid) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(grid, Json))))[..16];

    private static (string Field, string Problem)? Problem(Grid g)
    {
        if (string.IsNullOrWhiteSpace(g.Name) || g.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || g.Name.StartsWith('.'))
            return ("name", $"'{g.Name}' must be a folder name of letters, digits, '-', '_' and '.'");
        if (string.IsNullOrWhiteSpace(g.Model)) return ("model", "is empty");
        if (string.IsNullOrWhiteSpace(g.Data)) return ("data", "is empty");
        if (g.Seeds.Count == 0) return ("seeds", "is empty");
        if (g.Seeds.Distinct().Count() != g.Seeds.Count) return ("seeds", "names a seed twice");
        if (string.IsNullOrWhiteSpace(g.Dense.Path)) return ("dense.path", "is empty");
        if (g.Seeds.Count > 1 && !g.Dense.Path.Contains("{seed}", StringComparison.Ordinal))
            return ("dense.path", "must contain {seed}: each seed prunes its own dense network");
        if (Owned(g.Dense.Train, ["--model", "--data", "--seed", "--output", "--resume"]) is { } d) return ("dense.train", $"{d} is set by the sweep");
        if (Owned(g.Recipe, SweepOwned) is { } r) return ("recipe", $"{r} is set by the sweep for each cell");
        if (g.Cells.Count == 0) return ("cells", "is empty");
        var labels = new HashSet<string>();
        for (int i = 0; i < g.Cells.Count; i++)
        {
            var c = g.Cells[i];
            string at = $"cells[{i}]";
            if (c.Priority < 1) return ($"{at}.priority", $"{c.Priority} is not a whole number ≥ 1");
            if (c.Methods.Count == 0) return ($"{at}.methods", "is empty");
            foreach (var m in c.Methods)
            {
                if (!PruningMethods.Names.Contains(CellPlan.MethodOf(m)))
                    return ($"{at}.methods", $"unknown method '{m}'; choose among {string.Join(", ", PruningMethods.Names)} or pass-noprompt");
                labels.Add(m);
            }
            if (Owned(c.Args, SweepOwned) is { } a) return ($"{at}.args", $"{a} is set by the sweep for each cell");
            bool sparsity = c.Sparsity is { Count: > 0 }, flops = c.Flops is { Count: > 0 };
            if (c.MatchMacsOf is not null)
            {
                if (!sparsity || flops) return ($"{at}.sparsity", "a group matched to another method's MACs names the sparsities of that method's cells, and no flops");
                if (c.Methods.Contains(c.MatchMacsOf)) return ($"{at}.matchMacsOf", $"'{c.MatchMacsOf}' cannot be matched to itself");
            }
            else if (sparsity == flops) return ($"{at}", "give exactly one of sparsity and flops");
            foreach (var s in c.Sparsity ?? [])
                if (!(s >= 0 && s < 1)) return ($"{at}.sparsity", $"{Number(s)} is outside [0, 1)");
            foreach (var f in c.Flops ?? [])
                if (!(f > 0 && f < 1)) return ($"{at}.flops", $"{Number(f)} is outside (0, 1)");
        }
        if (!labels.Contains(g.Reference)) return ("reference", $"'{g.Reference}' is not a method of any cell group");
        return CellPlan.OrderProblem(g);
    }

    private static string? Owned(IReadOnlyList<string> args, string[] owned) => args.FirstOrDefault(a => owned.Contains(a.Split('=')[0]));

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
