using System.Text.Json;
using SparseCore.Cli.Sweeps;

namespace SparseCore.Cli.Tests.Sweeps;

/// <summary>
/// `sparsecore sweep` end to end on synthetic data at toy sizes: a grid of two cells (a method and
/// a baseline matched to its MACs) is cut off late in its second cell and run again; the second run
/// does only the second cell, resuming its run folder, the store holds both, the matched cell lands within 1 % of its
/// reference's MACs, and `sparsecore report` on the store gives the paired statistics.
/// </summary>
public sealed class SweepRunTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-sweep-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string WriteGrid(string name = "tiny")
    {
        var grid = new
        {
            name, model = "resnet20", data = "synthetic", seeds = new[] { 3 },
            dense = new { path = Path.Combine(root, "dense", "seed{seed}.safetensors"), train = new[] { "--device", "cpu", "--epochs", "1", "--train-subset", "64", "--validation", "64", "--batch-size", "32" } },
            recipe = new[] { "--device", "cpu", "--train-subset", "64", "--search-subset", "32", "--search-epochs", "1", "--finetune-epochs", "1", "--batch-size", "32", "--latency-batch", "2" },
            reference = "l1",
            cells = new object[]
            {
                new { priority = 1, methods = new[] { "l1" }, sparsity = new[] { 0.5 } },
                new { priority = 1, methods = new[] { "group-l2" }, sparsity = new[] { 0.5 }, matchMacsOf = "l1" },
            },
        };
        string path = Path.Combine(root, name + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(grid));
        return path;
    }

    [Fact]
    public void A_grid_cut_off_in_its_second_cell_continues_with_that_cell_alone()
    {
        string gridPath = WriteGrid();
        string results = Path.Combine(root, "results"), work = Path.Combine(root, "work");
        var invoked = new List<string>();
        string secondCell = Path.Combine(work, "tiny", "group-l2-at-l1-s0.5-seed3");
        // The first sweep is killed late in the second cell: its run folder holds every stage but
        // the summary, as if the process died while writing it.
        var first = new Sweep(GridFile.Read(gridPath), new SweepSettings
        {
            Results = results, Work = work, Log = _ => { },
            Invoke = args =>
            {
                invoked.Add(string.Join(' ', args));
                int exit = Quiet(args);
                if (args[0] == "prune" && invoked.Count(a => a.StartsWith("prune", StringComparison.Ordinal)) == 2)
                {
                    File.Delete(Path.Combine(Assert.Single(Directory.GetDirectories(secondCell)), "summary.json"));
                    throw new OperationCanceledException("killed");
                }
                return exit;
            },
        });
        Assert.Throws<OperationCanceledException>(() => first.Run());
        string store = Path.Combine(results, "tiny");
        Assert.True(File.Exists(Path.Combine(store, "l1-s0.5-seed3.json")));
        Assert.False(File.Exists(Path.Combine(store, "group-l2-at-l1-s0.5-seed3.json")));
        Assert.True(File.Exists(Path.Combine(store, "PLAN.md")));
        Assert.True(File.Exists(Path.Combine(root, "dense", "seed3.safetensors")), "the missing dense network is trained and put in place");
        Assert.Equal(["train", "prune", "prune"], invoked.Select(a => a.Split(' ')[0]));

        // The same command again: the stored cell and the dense network are not redone, and the cut-off
        // cell resumes in its own run folder from its saved masks.
        var (exit, stdout, error) = CliRunner.Run("sweep", gridPath, "--results", results, "--work", work);
        Assert.True(exit == 0, error + stdout);
        Assert.Contains("[1/2] l1-s0.5-seed3: stored", stdout);
        Assert.Contains("[2/2] group-l2-at-l1-s0.5-seed3: running", stdout);
        Assert.Contains("masks from", stdout);
        Assert.DoesNotContain("dense network for seed", stdout);
        Assert.Single(Directory.GetDirectories(Path.Combine(work, "tiny", "l1-s0.5-seed3")));
        Assert.Single(Directory.GetDirectories(secondCell));

        var cells = new SweepStore(store).All();
        Assert.Equal(["group-l2-at-l1-s0.5-seed3", "l1-s0.5-seed3"], cells.Select(c => c.Cell));
        var (matched, reference) = (cells[0], cells[1]);
        Assert.Equal("l1-s0.5-seed3", matched.Match!.Reference);
        Assert.Equal(reference.Macs, matched.Match.ReferenceMacs);
        Assert.InRange((double)matched.Macs / reference.Macs, 0.99, 1.01);
        Assert.Contains("--flops", matched.Command);
        Assert.All(cells, c => Assert.Equal(3ul, c.Seed));
        Assert.All(cells, c => Assert.False(string.IsNullOrEmpty(c.Commit)));
        Assert.Equal(reference.DenseMacs, matched.DenseMacs);

        var (reportExit, reportOut, reportError) = CliRunner.Run("report", store);
        Assert.True(reportExit == 0, reportError);
        Assert.Contains("| s=0.5 | Group-L2 | 1 | ", reportOut);
        Assert.Contains("one seed: not resolved", reportOut);
        Assert.True(File.Exists(Path.Combine(store, SweepReport.PlotFileName)));

        // Everything planned is stored: a third run runs nothing.
        var (done, doneOut, _) = CliRunner.Run("sweep", gridPath, "--results", results, "--work", work);
        Assert.Equal(0, done);
        Assert.Contains("all 2 cells stored", doneOut);
        var (_, listed, _) = CliRunner.Run("sweep", gridPath, "--results", results, "--work", work, "--list");
        Assert.Contains("[2/2] group-l2-at-l1-s0.5-seed3: stored", listed);
        Assert.Contains("2 of 2 cells stored", listed);
    }

    [Fact]
    public void A_changed_grid_is_refused_once_its_plan_is_written()
    {
        string gridPath = WriteGrid();
        string results = Path.Combine(root, "results");
        var grid = GridFile.Read(gridPath);
        Directory.CreateDirectory(Path.Combine(results, "tiny"));
        File.WriteAllText(Path.Combine(results, "tiny", "PLAN.md"), SweepPlan.Text(grid with { Seeds = [3, 4], Dense = grid.Dense }));
        var (exit, _, error) = CliRunner.Run("sweep", gridPath, "--results", results, "--work", Path.Combine(root, "work"));
        Assert.Equal(2, exit);
        Assert.Contains("differs from the one", error);
        Assert.False(Directory.Exists(Path.Combine(root, "work")), "a refused sweep runs nothing");
    }

    /// <summary>Runs a command in-process without letting its progress into the test's output.</summary>
    private static int Quiet(string[] args) => CliRunner.Run(args).Exit;
}
