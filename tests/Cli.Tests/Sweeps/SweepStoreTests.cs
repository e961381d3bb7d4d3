using SparseCore.Pass.Results;
using SparseCore.Cli.Sweeps;
using SparseCore.Cli.Tests.Pruning;
using SparseCore.Models.Data;

namespace SparseCore.Cli.Tests.Sweeps;

/// <summary>The store keeps a matched cell only within ±1 % of its reference's MACs, and refuses to read one a hand edit moved out of it.</summary>
public sealed class SweepStoreTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-store-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static CellRecord Matched(long macs, long referenceMacs)
    {
        var summary = SampleSummaries.Make("l1", prunedMacs: macs);
        return new CellRecord
        {
            Cell = "l1-at-pass-s0.5-seed0", Grid = "g", Method = "l1", Budget = "s=0.5", Seed = 0, Priority = 1,
            Match = new MacsMatch("pass-s0.5-seed0", referenceMacs, macs), Macs = macs, DenseMacs = summary.Dense.Macs, Parameters = 1000,
            ValidationAccuracy = 0.9, TestAccuracy = 0.9, DenseTestAccuracy = 0.93, LatencyMs = 1, DenseLatencyMs = 2, Stage1Seconds = 0, Stage2Seconds = 1,
            CellSeconds = 2, Command = "sparsecore prune", Commit = "abc", Device = "cpu", Threads = 2, FinishedUtc = DateTime.UnixEpoch, Summary = summary,
        };
    }

    [Theory]
    [InlineData(10_099_000, true)]
    [InlineData(9_901_000, true)]
    [InlineData(10_101_000, false)]
    [InlineData(9_899_000, false)]
    public void A_matched_cell_is_stored_only_within_one_percent_of_its_reference(long macs, bool stored)
    {
        var store = new SweepStore(root);
        var record = Matched(macs, 10_000_000);
        if (stored)
        {
            store.Write(record);
            Assert.Equal(macs, store.Read(record.Cell).Macs);
        }
        else
        {
            var e = Assert.Throws<InvalidOperationException>(() => store.Write(record));
            Assert.Contains("not stored", e.Message);
            Assert.False(store.Has(record.Cell));
        }
    }

    [Fact]
    public void A_hand_edited_match_outside_the_tolerance_is_refused_on_reading()
    {
        var store = new SweepStore(root);
        store.Write(Matched(10_050_000, 10_000_000));
        string path = store.CellPath("l1-at-pass-s0.5-seed0");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"referenceMacs\": 10000000", "\"referenceMacs\": 9000000", StringComparison.Ordinal));
        var e = Assert.Throws<DataFormatException>(() => store.Read("l1-at-pass-s0.5-seed0"));
        Assert.Contains("match", e.Message);
    }
}
