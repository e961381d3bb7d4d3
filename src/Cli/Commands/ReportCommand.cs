using System.CommandLine;
using SparseCore.Cli.Pruning;
using SparseCore.Cli.Sweeps;
using SparseCore.Models.IO;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Commands;

/// <summary>
/// `sparsecore report RUN_FOLDER... [--output DIR]`: compares prune runs from their summary.json
/// files (nothing is re-measured) in one table, printed and written as comparison.md, one
/// accuracy-vs-MACs plot, and for weight-mask runs at one budget a per-layer density comparison.
/// Given a sweep's results store instead, its statistics over seeds (<see cref="SweepReport"/>).
/// </summary>
internal static class ReportCommand
{
    public const string ComparisonFileName = "comparison.md";

    public static Command Create()
    {
        var folders = new Argument<string[]>("RUN_FOLDER")
        {
            Description = "run folders written by `sparsecore prune` (each holds summary.json)",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output") { Description = "folder for comparison.md and accuracy-vs-macs.png", DefaultValueFactory = _ => "." };
        var cmd = new Command("report", "compare prune runs in one table and plot") { folders, output };
        cmd.SetAction(r => Run(r.GetValue(folders)!, r.GetValue(output)!));
        return cmd;
    }

    private static int Run(string[] folders, string output)
    {
        if (folders.Any(SweepStore.IsStore)) return RunStore(folders, output);
        var paths = folders.Select(SummaryPath).ToList();
        var runs = folders.Zip(paths, (folder, path) => (folder, PruneSummaryFile.Read(path))).ToList();
        var comparison = new RunComparison(runs);
        Directory.CreateDirectory(output);
        comparison.WritePlot(Path.Combine(output, AccuracyMacsPlot.FileName));
        // Weight-mask runs at one budget: where each method kept its weights, layer by layer.
        foreach (var group in comparison.WeightGroups())
        {
            string file = RunComparison.WeightDensityFile(group.Key.Sparsity);
            WeightDensityPlot.WriteComparison(Path.Combine(output, file), $"{group.Key.Model} at sparsity {group.Key.Sparsity}: weights kept per layer",
                group.Select(r => (ReportFormat.Method(r.Summary.Method), r.Summary.Layers)).ToList());
            Console.WriteLine($"wrote {file}");
        }
        AtomicFile.WriteAllText(Path.Combine(output, ComparisonFileName), comparison.Markdown());
        Console.Write(comparison.Table());
        Console.WriteLine($"wrote {ComparisonFileName} and {AccuracyMacsPlot.FileName} to {Path.GetFullPath(output)}");
        return 0;
    }

    /// <summary>A sweep's results store: its statistics report, written into the store unless --output says elsewhere.</summary>
    private static int RunStore(string[] folders, string output)
    {
        if (folders.Length != 1) throw new ArgumentException("report: give one sweep store (a folder with grid.json) alone, not mixed with run folders");
        var files = SweepReport.Write(new SweepStore(folders[0]), output == "." ? null : output);
        Console.Write(File.ReadAllText(files[0]));
        Console.WriteLine($"wrote {string.Join(" and ", files)}");
        return 0;
    }

    /// <summary>Checked before any file is read, so the user learns which argument is not a run.</summary>
    private static string SummaryPath(string folder)
    {
        if (!Directory.Exists(folder)) throw new ArgumentException($"report: {folder} is not a folder");
        string path = Path.Combine(folder, PruneSummaryFile.FileName);
        if (!File.Exists(path)) throw new ArgumentException($"report: {folder} has no {PruneSummaryFile.FileName} (is it a `sparsecore prune` run folder?)");
        return path;
    }
}
