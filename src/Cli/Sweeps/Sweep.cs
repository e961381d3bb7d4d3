using System.Diagnostics;
using System.Globalization;
using SparseCore.Pass.Results;
using SparseCore.Models.IO;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Sweeps;

/// <summary>What a sweep is told besides its grid.</summary>
public sealed record SweepSettings
{
    /// <summary>The folder holding every grid's store (results/ in the repository).</summary>
    public required string Results { get; init; }

    /// <summary>Where cells' run folders and dense training runs live (ignored by git): a cut-off cell resumes from here.</summary>
    public required string Work { get; init; }

    /// <summary>Commit each finished cell's files (and PLAN.md, dense networks) as soon as they are written.</summary>
    public bool Commit { get; init; }

    /// <summary>Run at most this many cells, then stop (null: all).</summary>
    public int? MaxCells { get; init; }

    /// <summary>Runs one `sparsecore` command line (the cell's prune, a dense network's train) and returns its exit code.</summary>
    public required Func<string[], int> Invoke { get; init; }

    public required Action<string> Log { get; init; }
}

/// <summary>
/// `sparsecore sweep GRID`: runs a grid's cells in <see cref="CellPlan"/> order, each one a
/// `sparsecore prune` command, skipping cells already in the store and resuming a cell cut off
/// mid-run from its run folder. After every cell its <see cref="CellRecord"/> and the store's report
/// are written (and committed with --commit), so the same command continues the grid wherever it stopped.
/// </summary>
public sealed class Sweep
{
    private readonly Grid grid;
    private readonly SweepSettings settings;
    private readonly SweepStore store;
    private readonly string work;

    public Sweep(Grid grid, SweepSettings settings)
    {
        this.grid = grid;
        this.settings = settings;
        store = new SweepStore(Path.Combine(settings.Results, grid.Name));
        work = Path.Combine(settings.Work, grid.Name);
    }

    public SweepStore Store => store;

    /// <summary>Runs the cells left (or up to <see cref="SweepSettings.MaxCells"/> of them); returns how many ran.</summary>
    public int Run()
    {
        FixPlan();
        CommitStore($"results: {grid.Name} files stored but not committed when the sweep last stopped");
        string commit = GitRecord.Commit(settings.Results);
        var cells = CellPlan.Cells(grid);
        int ran = 0;
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            string position = $"[{i + 1}/{cells.Count}] {cell.Name}";
            if (store.Has(cell.Name))
            {
                settings.Log($"{position}: stored");
                continue;
            }
            if (settings.MaxCells is { } most && ran >= most)
            {
                settings.Log($"stopping after {ran} cell{(ran == 1 ? "" : "s")} (--cells {most}); {Remaining(cells)} left — run the same command to continue");
                return ran;
            }
            settings.Log($"{position}: running; {Done(cells)} of {cells.Count} stored{Eta(cells)}");
            RunCell(cell, commit, $"{i + 1} of {cells.Count}");
            ran++;
        }
        settings.Log($"grid {grid.Name}: all {cells.Count} cells stored in {store.Folder}");
        return ran;
    }

    /// <summary>PLAN.md and grid.json before the first cell; afterwards, the grid must still be the one planned.</summary>
    private void FixPlan()
    {
        string plan = Path.Combine(store.Folder, SweepStore.PlanFileName);
        if (File.Exists(plan))
        {
            string? planned = SweepPlan.FingerprintOf(File.ReadAllText(plan));
            if (planned != GridFile.Fingerprint(grid))
                throw new ArgumentException($"sweep: grid {grid.Name} differs from the one {plan} was written for (fingerprint {planned ?? "missing"}); " +
                                            "the plan is fixed before the first cell — give a changed grid a new name");
            return;
        }
        Directory.CreateDirectory(store.Folder);
        string gridCopy = Path.Combine(store.Folder, SweepStore.GridFileName);
        AtomicFile.WriteAllText(gridCopy, GridFile.Text(grid));
        AtomicFile.WriteAllText(plan, SweepPlan.Text(grid));
        settings.Log($"wrote {plan}");
        if (settings.Commit) GitRecord.CommitFiles([gridCopy, plan], $"results: {grid.Name} plan ({CellPlan.Cells(grid).Count} cells), before its first cell");
    }

    private void RunCell(SweepCell cell, string commit, string position)
    {
        var clock = Stopwatch.StartNew();
        string dense = DenseFor(cell.Seed);
        var match = cell.ReferenceName is { } reference ? store.Read(reference) : null;
        string parent = Path.Combine(work, cell.Name);
        string? runFolder = LatestRun(parent);
        if (runFolder is null || !File.Exists(Path.Combine(runFolder, PruneSummaryFile.FileName)))
        {
            var args = CellArguments(cell, dense, match, parent, runFolder);
            int exit = settings.Invoke(args);
            if (exit != 0) throw new InvalidOperationException($"sweep: cell {cell.Name} failed (exit {exit}); its command: sparsecore {string.Join(' ', args)}");
            runFolder = LatestRun(parent) ?? throw new InvalidOperationException($"sweep: cell {cell.Name} left no run folder in {parent}");
        }
        var summary = PruneSummaryFile.Read(Path.Combine(runFolder, PruneSummaryFile.FileName));
        var record = Record(cell, summary, match, commit, clock.Elapsed.TotalSeconds);
        store.Write(record);
        SweepReport.Write(store);
        settings.Log(string.Create(CultureInfo.InvariantCulture,
            $"{cell.Name}: test {100 * record.TestAccuracy:F2} %, {100.0 * record.Macs / record.DenseMacs:F1} % of the dense MACs{(record.Match is { } m ? $" ({100 * m.Deviation:+0.00;−0.00;0.00} % from {m.Reference})" : "")}, {record.CellSeconds:F0} s"));
        CommitStore($"results: {grid.Name} {cell.Name} (cell {position})");
    }

    /// <summary>
    /// With --commit, the store's changed files in one commit. The whole store rather than the cell's
    /// files: a cell whose commit git refused (a merge in progress beside the sweep) is not lost to
    /// the next run's skip-if-stored, nor does it stop the grid — it goes with the next cell's commit.
    /// </summary>
    private void CommitStore(string message)
    {
        if (settings.Commit && !GitRecord.TryCommitFolder(store.Folder, message))
            settings.Log($"warning: git refused to commit {store.Folder} ({message}); its files stay and go with the next cell's commit");
    }

    /// <summary>The cell's `sparsecore prune` command line; with a run folder left by a cut-off attempt, its --resume.</summary>
    internal string[] CellArguments(SweepCell cell, string dense, CellRecord? reference, string parent, string? cutOff)
    {
        var c = CultureInfo.InvariantCulture;
        var args = new List<string> { "prune", "--method", CellPlan.MethodOf(cell.Method) };
        if (cell.Method == CellPlan.NoPromptLabel) args.Add("--no-prompt");
        args.AddRange(["--model", grid.Model, "--data", grid.Data, "--from", dense, "--seed", cell.Seed.ToString(c)]);
        if (reference is not null) args.AddRange(["--flops", ((double)reference.Macs / reference.DenseMacs).ToString("R", c)]);
        else if (cell.Sparsity is { } s) args.AddRange(["--sparsity", s.ToString("R", c)]);
        else args.AddRange(["--flops", cell.Flops!.Value.ToString("R", c)]);
        args.AddRange(grid.Recipe);
        args.AddRange(cell.Args);
        args.AddRange(["--output", parent]);
        if (cutOff is not null) args.AddRange(["--resume", cutOff]);
        return [.. args];
    }

    /// <summary>The newest run folder under a cell's parent (run folders begin with their creation time), or null.</summary>
    internal static string? LatestRun(string parent) =>
        Directory.Exists(parent) ? Directory.GetDirectories(parent).Order(StringComparer.Ordinal).LastOrDefault() : null;

    private CellRecord Record(SweepCell cell, PruneSummary s, CellRecord? reference, string commit, double seconds)
    {
        bool weights = s.Mode == PruneSummary.WeightMode;
        long macs = weights ? s.MaskedMacs : s.Pruned.Macs;
        return new CellRecord
        {
            Cell = cell.Name, Grid = grid.Name, Method = cell.Method, Budget = cell.Budget, Seed = cell.Seed, Priority = cell.Priority,
            Match = reference is null ? null : new MacsMatch(reference.Cell, reference.Macs, macs),
            Macs = macs, DenseMacs = s.Dense.Macs, Parameters = weights ? s.NonzeroParameters ?? s.Pruned.Parameters : s.Pruned.Parameters,
            ValidationAccuracy = s.Pruned.ValidationAccuracy, TestAccuracy = s.Pruned.TestAccuracy, DenseTestAccuracy = s.Dense.TestAccuracy,
            LatencyMs = s.Pruned.LatencyMs, DenseLatencyMs = s.Dense.LatencyMs, Stage1Seconds = s.Stages.Stage1Seconds, Stage2Seconds = s.Stages.Stage2Seconds,
            CellSeconds = seconds, Command = s.Command, Commit = commit, Device = s.Device, Threads = s.Latency.Threads, FinishedUtc = DateTime.UtcNow,
            Summary = s,
        };
    }

    /// <summary>The seed's dense network: the committed one, or trained now (resuming a cut-off training run) and copied into place.</summary>
    private string DenseFor(ulong seed)
    {
        string path = grid.Dense.For(seed);
        if (File.Exists(path)) return WithSplit(path);
        var c = CultureInfo.InvariantCulture;
        string parent = Path.Combine(work, string.Create(c, $"dense-seed{seed}"));
        string? cutOff = LatestRun(parent);
        string[] args = cutOff is not null && File.Exists(Path.Combine(cutOff, Checkpoint.LastFileName))
            ? ["train", "--resume", cutOff]
            : ["train", "--model", grid.Model, "--data", grid.Data, "--seed", seed.ToString(c), .. grid.Dense.Train, "--output", parent];
        settings.Log($"dense network for seed {seed}: {path} is missing; sparsecore {string.Join(' ', args)}");
        int exit = settings.Invoke(args);
        if (exit != 0) throw new InvalidOperationException($"sweep: training the dense network of seed {seed} failed (exit {exit})");
        string run = LatestRun(parent)!;
        string metrics = Path.ChangeExtension(path, null) + ".metrics.csv";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(metrics, s => { using var f = File.OpenRead(Path.Combine(run, "metrics.csv")); f.CopyTo(s); });
        AtomicFile.Write(path, s => { using var f = File.OpenRead(Path.Combine(run, Checkpoint.LastFileName)); f.CopyTo(s); });
        if (settings.Commit) GitRecord.CommitFiles([path, metrics], $"results: dense {grid.Model} for seed {seed} ({grid.Name})");
        return WithSplit(path);
    }

    /// <summary>Every cell validates on its dense network's own held-out images, so the network must say which they were.</summary>
    private static string WithSplit(string path) => Checkpoint.ReadInfo(path).Split is not null
        ? path
        : throw new ArgumentException($"sweep: {path} records no validation split; a sweep validates each cell on the images its dense network held out");

    /// <summary>Every planned cell in order with whether it is stored, and how many remain: what --list prints.</summary>
    public string Listing()
    {
        var cells = CellPlan.Cells(grid);
        var lines = new System.Text.StringBuilder();
        for (int i = 0; i < cells.Count; i++)
            lines.AppendLine(CultureInfo.InvariantCulture, $"[{i + 1}/{cells.Count}] {cells[i].Name}: {(store.Has(cells[i].Name) ? "stored" : "to run")}");
        lines.AppendLine(CultureInfo.InvariantCulture, $"{Done(cells)} of {cells.Count} cells stored in {store.Folder}, {Remaining(cells)} to run{Eta(cells)}");
        return lines.ToString();
    }

    private int Done(IReadOnlyList<SweepCell> cells) => cells.Count(c => store.Has(c.Name));

    private int Remaining(IReadOnlyList<SweepCell> cells) => cells.Count - Done(cells);

    /// <summary>"; about 3 h 10 min left" from the stored cells' wall times (per method where it has one), or nothing before the first.</summary>
    private string Eta(IReadOnlyList<SweepCell> cells)
    {
        var stored = store.All();
        if (stored.Count == 0) return "";
        double mean = stored.Average(r => r.CellSeconds);
        var byMethod = stored.GroupBy(r => r.Method).ToDictionary(g => g.Key, g => g.Average(r => r.CellSeconds));
        double seconds = cells.Where(c => !store.Has(c.Name)).Sum(c => byMethod.GetValueOrDefault(c.Method, mean));
        var t = TimeSpan.FromSeconds(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"; about {(int)t.TotalHours} h {t.Minutes:D2} min left");
    }
}
