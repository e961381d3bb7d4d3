using System.Diagnostics;
using SparseCore.Models.IO;
using SparseCore.Models.Tests.Data;

namespace SparseCore.Models.Tests.IO;

/// <summary>Run folders are claimed exclusively, vanish when a run fails before writing anything, and shed a killed write's temporaries.</summary>
public class RunFolderTests
{
    [Fact]
    public void A_taken_name_gets_a_suffix_and_each_claim_records_its_command()
    {
        using var temp = new TempFolder();
        string first = RunFolder.Create(temp.Path, "20261205-101010-mlp", "sparsecore train a");
        string second = RunFolder.Create(temp.Path, "20261205-101010-mlp", "sparsecore train b");
        Assert.Equal(Path.Combine(temp.Path, "20261205-101010-mlp"), first);
        Assert.Equal(Path.Combine(temp.Path, "20261205-101010-mlp-2"), second);
        Assert.Equal("sparsecore train b", File.ReadAllText(Path.Combine(second, RunFolder.CommandFileName)).Trim());
    }

    [Fact]
    public void Runs_claiming_one_name_at_once_get_one_folder_each()
    {
        using var temp = new TempFolder();
        var folders = new string[16];
        Parallel.For(0, folders.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            i => folders[i] = RunFolder.Create(temp.Path, "same-second", $"run {i}"));
        Assert.Equal(folders.Length, folders.Distinct().Count());
        for (int i = 0; i < folders.Length; i++)
            Assert.Equal($"run {i}", File.ReadAllText(Path.Combine(folders[i], RunFolder.CommandFileName)).Trim());
    }

    [Fact]
    public void A_folder_holding_only_its_command_is_removed_and_one_with_results_is_kept()
    {
        using var temp = new TempFolder();
        string empty = RunFolder.Create(temp.Path, "a", "cmd");
        string used = RunFolder.Create(temp.Path, "b", "cmd");
        File.WriteAllText(Path.Combine(used, "metrics.csv"), "epoch\n");
        RunFolder.RemoveIfUnused(empty);
        RunFolder.RemoveIfUnused(used);
        Assert.False(Directory.Exists(empty));
        Assert.True(Directory.Exists(used));
    }

    [Fact]
    public void An_unwritable_output_folder_is_refused_by_the_option_s_name()
    {
        // /sys refuses new files even to root, as a read-only folder does to a user.
        var e = Assert.Throws<ArgumentException>(() => RunFolder.RequireWritable("/sys/sparsecore-test", "--output"));
        Assert.StartsWith("--output: cannot write into /sys/sparsecore-test", e.Message);
        Assert.Throws<ArgumentException>(() => RunFolder.Reopen("/sys", "--resume"));
    }

    [Fact]
    public void Reopening_removes_temporaries_of_dead_writers_and_keeps_live_ones_and_results()
    {
        using var temp = new TempFolder();
        string sub = Directory.CreateDirectory(Path.Combine(temp.Path, "finetune")).FullName;
        int dead = DeadProcessId();
        string stale = Path.Combine(temp.Path, $".last.safetensors.{dead}.tmp");
        string staleBelow = Path.Combine(sub, $".metrics.csv.{dead}.tmp");
        string live = Path.Combine(temp.Path, $".last.safetensors.{Environment.ProcessId}.tmp");
        string result = Path.Combine(temp.Path, "last.safetensors");
        foreach (var f in new[] { stale, staleBelow, live, result }) File.WriteAllText(f, "x");

        RunFolder.Reopen(temp.Path, "--resume");

        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleBelow));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(result));
    }

    /// <summary>The id of a process that has exited (and been reaped).</summary>
    private static int DeadProcessId()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }
}
