using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Pass.Pipeline;
using SparseCore.Pass.Results;

namespace SparseCore.Cli.Sweeps;

/// <summary>
/// A grid's results store, results/&lt;grid&gt;/ in the repository: grid.json (the grid as run),
/// PLAN.md (what is compared, written before the first cell and never changed), one
/// &lt;cell&gt;.json per finished cell (<see cref="CellRecord"/>), and the report made from them.
/// Each file is written atomically, so a stop leaves a cell stored whole or not at all.
/// </summary>
public sealed class SweepStore(string folder)
{
    public const string GridFileName = "grid.json";
    public const string PlanFileName = "PLAN.md";

    public string Folder { get; } = folder;

    public string CellPath(string cell) => Path.Combine(Folder, cell + ".json");

    public bool Has(string cell) => File.Exists(CellPath(cell));

    public static bool IsStore(string folder) => File.Exists(Path.Combine(folder, GridFileName));

    public Grid Grid() => GridFile.Read(Path.Combine(Folder, GridFileName));

    /// <summary>Refuses a matched cell off its reference's MACs by more than the tolerance: the comparison it exists for would not hold.</summary>
    public void Write(CellRecord record)
    {
        if (record.Match is { Holds: false } m)
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{record.Cell}: {m.Macs:N0} MACs, {100 * m.Deviation:+0.00;−0.00;0.00} % from {m.Reference}'s {m.ReferenceMacs:N0} (more than ±{100 * MacsMatch.Tolerance:0} %); not stored"));
        Directory.CreateDirectory(Folder);
        AtomicFile.WriteAllText(CellPath(record.Cell), CellFile.Text(record));
    }

    public CellRecord Read(string cell) => CellFile.Read(CellPath(cell));

    /// <summary>Every stored cell, by file name; a damaged file is a <see cref="DataFormatException"/> naming it.</summary>
    public IReadOnlyList<CellRecord> All() =>
        Directory.Exists(Folder)
            ? Directory.GetFiles(Folder, "*.json").Where(f => Path.GetFileName(f) != GridFileName).Order(StringComparer.Ordinal).Select(CellFile.Read).ToList()
            : [];
}
