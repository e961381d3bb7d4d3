using System.CommandLine;
using SparseCore.Cli.Sweeps;

namespace SparseCore.Cli.Commands;

/// <summary>
/// `sparsecore sweep GRID [--commit] [--cells N]`: runs a grid of prune cells in priority order
/// into its results store (<see cref="Sweep"/>); the same command continues it after a stop.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var grid = new Argument<string>("GRID") { Description = "the grid file (JSON: model, data, seeds, dense networks, recipe, cell groups in priority order)" };
        var results = new Option<string>("--results") { Description = "folder of the results stores (the grid's store is RESULTS/<grid name>)", DefaultValueFactory = _ => "results" };
        var work = new Option<string>("--work") { Description = "folder of the cells' run folders (a cut-off cell resumes from here)", DefaultValueFactory = _ => Path.Combine("runs", "sweep") };
        var commit = new Option<bool>("--commit") { Description = "git-commit each finished cell's files (and the plan, dense networks) as soon as they are written" };
        var cells = NumberOptions.Whole("--cells", "run at most this many cells, then stop (0: all)", 0, 0);
        var list = new Option<bool>("--list") { Description = "check the grid and list its cells in order, stored or not, without running any" };
        var cmd = new Command("sweep", "run a grid of prune cells (methods × budgets × seeds) into a results store, resumable") { grid, results, work, commit, cells, list };
        cmd.SetAction(r =>
        {
            var parsed = GridFile.Read(r.GetValue(grid)!);
            int most = r.GetValue(cells);
            var sweep = new Sweep(parsed, new SweepSettings
            {
                Results = r.GetValue(results)!, Work = r.GetValue(work)!, Commit = r.GetValue(commit), MaxCells = most > 0 ? most : null,
                Invoke = Program.Main, Log = Console.WriteLine,
            });
            if (r.GetValue(list))
            {
                Console.Write(sweep.Listing());
                return 0;
            }
            sweep.Run();
            Console.WriteLine($"report: {Path.Combine(sweep.Store.Folder, SweepReport.FileName)}");
            return 0;
        });
        return cmd;
    }
}
