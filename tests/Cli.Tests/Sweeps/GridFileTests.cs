using System.Text.Json;
using SparseCore.Cli.Sweeps;
using SparseCore.Models.Data;

namespace SparseCore.Cli.Tests.Sweeps;

/// <summary>A grid file's mistakes are found before anything runs, each naming the file and field; cells run in the stated order.</summary>
public sealed class GridFileTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-grid-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static Dictionary<string, object?> Valid() => new()
    {
        ["name"] = "g", ["model"] = "resnet20", ["data"] = "synthetic", ["seeds"] = new[] { 0, 1 },
        ["dense"] = new { path = "d/seed{seed}.safetensors" }, ["recipe"] = new[] { "--finetune-epochs", "1" },
        ["cells"] = new object[]
        {
            new { priority = 1, methods = new[] { "pass", "pass-noprompt" }, sparsity = new[] { 0.5 } },
            new { priority = 1, methods = new[] { "l1", "uniform" }, sparsity = new[] { 0.5 }, matchMacsOf = "pass" },
            new { priority = 2, methods = new[] { "pass" }, sparsity = new[] { 0.3 } },
        },
    };

    private string Write(Dictionary<string, object?> grid)
    {
        string path = Path.Combine(root, "grid.json");
        File.WriteAllText(path, JsonSerializer.Serialize(grid));
        return path;
    }

    [Fact]
    public void Cells_run_by_priority_then_seed_then_group_and_matched_cells_after_their_reference()
    {
        var cells = CellPlan.Cells(GridFile.Read(Write(Valid())));
        Assert.Equal(
            ["pass-s0.5-seed0", "pass-noprompt-s0.5-seed0", "l1-at-pass-s0.5-seed0", "uniform-at-pass-s0.5-seed0",
             "pass-s0.5-seed1", "pass-noprompt-s0.5-seed1", "l1-at-pass-s0.5-seed1", "uniform-at-pass-s0.5-seed1",
             "pass-s0.3-seed0", "pass-s0.3-seed1"],
            cells.Select(c => c.Name));
        Assert.Equal("pass-s0.5-seed1", cells[6].ReferenceName);
        Assert.Equal("s=0.5", cells[6].Budget);
    }

    [Theory]
    [InlineData("cells", "unknown method 'nope'")]
    [InlineData("recipe", "--seed is set by the sweep")]
    [InlineData("name", "must be a folder name")]
    [InlineData("dense.path", "must contain {seed}")]
    [InlineData("order", "which runs after it")]
    [InlineData("reference", "'vpns' is not a method of any cell group")]
    [InlineData("budget", "give exactly one of sparsity and flops")]
    [InlineData("typo", "sparsityy")]
    public void A_bad_grid_is_one_error_naming_its_field(string fault, string expected)
    {
        var g = Valid();
        switch (fault)
        {
            case "cells": g["cells"] = new object[] { new { methods = new[] { "nope" }, sparsity = new[] { 0.5 } } }; break;
            case "recipe": g["recipe"] = new[] { "--seed", "4" }; break;
            case "name": g["name"] = "../escape"; break;
            case "dense.path": g["dense"] = new { path = "d/one.safetensors" }; break;
            case "order":
                g["cells"] = new object[]
                {
                    new { priority = 1, methods = new[] { "l1" }, sparsity = new[] { 0.5 }, matchMacsOf = "pass" },
                    new { priority = 2, methods = new[] { "pass" }, sparsity = new[] { 0.5 } },
                };
                break;
            case "reference": g["reference"] = "vpns"; break;
            case "budget": g["cells"] = new object[] { new { methods = new[] { "pass" }, sparsity = new[] { 0.5 }, flops = new[] { 0.3 } } }; break;
            case "typo": g["cells"] = new object[] { new { methods = new[] { "pass" }, sparsityy = new[] { 0.5 } } }; break;
        }
        string path = Write(g);
        var e = Assert.Throws<DataFormatException>(() => GridFile.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_plan_records_a_fingerprint_that_moves_with_what_the_grid_asks()
    {
        var grid = GridFile.Read(Write(Valid()));
        string plan = SweepPlan.Text(grid);
        Assert.Equal(GridFile.Fingerprint(grid), SweepPlan.FingerprintOf(plan));
        Assert.NotEqual(GridFile.Fingerprint(grid), GridFile.Fingerprint(grid with { Recipe = ["--finetune-epochs", "2"] }));
        Assert.Contains("10 cells in the order they run", plan);
        Assert.Contains("test accuracy of the pruned network after the last stage-2 epoch", plan);
    }
}
