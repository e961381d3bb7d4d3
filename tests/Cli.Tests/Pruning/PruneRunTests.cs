using System.Text.Json;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Tests.Pruning;

/// <summary>
/// `sparsecore prune` end to end on synthetic data at toy sizes: the run folder holds the report,
/// masks.json, summary.json, the plots and a pruned checkpoint that `sparsecore eval` runs from the
/// file alone; --flops lands on its target; a resumed run reuses the finished stages; bad masks.json
/// and bad options are one-line errors.
/// </summary>
public sealed class PruneRunTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-prune-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Toy-sized options; <paramref name="extra"/> adds options or overrides these.</summary>
    private string[] Args(string method, params string[] extra)
    {
        var options = new Dictionary<string, string?>
        {
            ["--method"] = method, ["--model"] = "resnet20", ["--data"] = "synthetic", ["--device"] = "cpu", ["--dense-epochs"] = "1",
            ["--train-subset"] = "96", ["--search-subset"] = "48", ["--validation"] = "64", ["--search-epochs"] = "1",
            ["--finetune-epochs"] = "1", ["--batch-size"] = "32", ["--latency-batch"] = "2", ["--output"] = root,
        };
        for (int i = 0; i < extra.Length; i++)
            options[extra[i]] = i + 1 < extra.Length && !extra[i + 1].StartsWith("--", StringComparison.Ordinal) ? extra[++i] : null;
        return ["prune", .. options.SelectMany(o => o.Value is null ? new[] { o.Key } : [o.Key, o.Value])];
    }

    private string OnlyRunFolder() => Assert.Single(Directory.GetDirectories(root));

    [Fact]
    public void Pass_run_writes_report_masks_summary_plots_and_an_evaluable_pruned_checkpoint()
    {
        var (exit, stdout, error) = CliRunner.Run(Args("pass", "--sparsity", "0.5"));
        Assert.True(exit == 0, error + stdout);
        string run = OnlyRunFolder();
        foreach (var file in new[] { "report.md", "masks.json", "summary.json", "pruned.safetensors", "dense.safetensors", "search.safetensors",
                                     "kept-channels.png", "accuracy-vs-macs.png", "layer-times.png", "finetune/metrics.csv" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing from {run}");
        var summary = PruneSummaryFile.Read(Path.Combine(run, "summary.json"));
        Assert.Equal("pass", summary.Method);
        Assert.True(summary.PromptInStage2);
        Assert.Equal(summary.MaskedMacs, summary.Pruned.Macs); // shared mode: masked = extracted
        Assert.True(summary.Pruned.Macs < summary.Dense.Macs);
        Assert.All(summary.Layers, l => Assert.InRange(l.Kept, 1, l.Channels));
        Assert.Equal(summary.Dense.Macs, summary.Compute!.DenseMacs);
        Assert.Equal(summary.Pruned.Macs, summary.Compute.PrunedMacs);
        Assert.Equal(2, summary.Compute.Batch);
        // ResNet-20 in shared mode has 400 coupled units (the 64-wide stream, zero-padded across stages, and 336 inner channels): s = 0.5 keeps 200.
        var (units, kept) = SharedUnits(run);
        Assert.Equal((400, 200), (units, kept));

        var (evalExit, evalOut, evalError) = CliRunner.Run("eval", "--checkpoint", Path.Combine(run, "pruned.safetensors"), "--data", "synthetic", "--device", "cpu");
        Assert.True(evalExit == 0, evalError);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"test accuracy {summary.Pruned.TestAccuracy:P2}"), evalOut);

        // Resuming the finished run redoes no stage and reports the same pruned network.
        var (again, againOut, againError) = CliRunner.Run(Args("pass", "--sparsity", "0.5", "--resume", run));
        Assert.True(again == 0, againError);
        Assert.Contains("masks from", againOut);
        Assert.Equal(summary.Pruned.TestAccuracy, PruneSummaryFile.Read(Path.Combine(run, "summary.json")).Pruned.TestAccuracy);

        // Resuming with another budget would mix two runs: refused, naming the setting.
        var (other, _, otherError) = CliRunner.Run(Args("pass", "--sparsity", "0.3", "--resume", run));
        Assert.Equal(2, other);
        Assert.Contains("sparsity = '0.5'", otherError);
    }

    [Fact]
    public void Vpns_run_writes_its_weight_report_and_a_checkpoint_eval_runs_as_recorded_without_its_prompt()
    {
        var (exit, stdout, error) = CliRunner.Run(Args("vpns", "--density", "0.2", "--label-map", "flm"));
        Assert.True(exit == 0, error + stdout);
        string run = OnlyRunFolder();
        foreach (var file in new[] { "report.md", "weight-masks.safetensors", "scores.safetensors", "stage1-buffers.safetensors", "summary.json",
                                     "pruned.safetensors", "weight-density.png", "accuracy-vs-macs.png" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing from {run}");
        var summary = PruneSummaryFile.Read(Path.Combine(run, "summary.json"));
        Assert.Equal(PruneSummary.WeightMode, summary.Mode);
        Assert.Equal(0.8, summary.Sparsity!.Value, 12);
        Assert.False(summary.PromptAtTest);
        Assert.Null(summary.Compute); // weight masks leave every layer at its dense shape
        string report = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.Contains("A dense kernel still runs every dense MAC", report);
        Assert.Contains("Label mapping (target → source class)", report);

        string accuracy = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"test accuracy {summary.Pruned.TestAccuracy:P2}");
        var (evalExit, evalOut, evalError) = CliRunner.Run("eval", "--checkpoint", Path.Combine(run, "pruned.safetensors"), "--data", "synthetic", "--device", "cpu");
        Assert.True(evalExit == 0, evalError);
        Assert.Contains(accuracy, evalOut);

        // On sparse-weight kernels: the same accuracy, and the per-layer plan printed first.
        var (sparseExit, sparseOut, sparseError) = CliRunner.Run("eval", "--checkpoint", Path.Combine(run, "pruned.safetensors"), "--data", "synthetic",
                                                                 "--device", "cpu", "--sparse", "all");
        Assert.True(sparseExit == 0, sparseError);
        Assert.Contains(accuracy, sparseOut);
        Assert.Contains("layer3.2.conv2", sparseOut);
        Assert.Contains("sparse-weight kernels", sparseOut);
    }

    [Fact]
    public void Report_over_weight_runs_at_one_budget_compares_their_masks_and_per_layer_densities()
    {
        foreach (var method in new[] { "omp", "random-weights" })
        {
            var (exit, stdout, error) = CliRunner.Run(Args(method, "--sparsity", "0.5"));
            Assert.True(exit == 0, error + stdout);
        }
        string output = Path.Combine(root, "comparison");
        var runs = Directory.GetDirectories(root);
        var (reportExit, _, reportError) = CliRunner.Run(["report", .. runs, "--output", output]);
        Assert.True(reportExit == 0, reportError);
        string md = File.ReadAllText(Path.Combine(output, "comparison.md"));
        var rows = md.Split('\n').SkipWhile(l => !l.StartsWith("| kept by", StringComparison.Ordinal)).Skip(2).TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.Equal(3, rows.Count); // OMP, random, and the scaled-magnitude start
        var cells = rows.ToDictionary(r => r.Split('|')[1].Trim(), r => r.Split('|')[2..^1].Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var header = md.Split('\n').First(l => l.StartsWith("| kept by", StringComparison.Ordinal)).Split('|')[2..^1].Select(h => h.Trim()).ToList();
        Assert.Equal(header, cells.Keys.ToList());
        for (int i = 0; i < header.Count; i++) Assert.Equal(100.0, cells[header[i]][i]);
        Assert.Contains("scaled-magnitude start", header);
        // A random mask at density 0.5 shares about half of OMP's kept weights.
        Assert.InRange(cells["OMP"][header.IndexOf("Random (weights)")], 40, 60);
        Assert.True(File.Exists(Path.Combine(output, "weight-density-s0.5.png")));
    }

    [Theory]
    [InlineData("--iteration", "twice", "--iteration: expected paired or single")]
    [InlineData("--label-map", "ilm", "--label-map: expected flm or none")]
    [InlineData("--score-lr", "0", "--score-lr must be a finite number > 0")]
    public void A_bad_weight_method_option_is_one_line_naming_it(string option, string value, string message)
    {
        var (exit, _, error) = CliRunner.Run(Args("vpns", "--sparsity", "0.5", option, value));
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
        Assert.Empty(Directory.GetDirectories(root));
    }

    /// <summary>Coupled units of a shared-mode ResNet-20 run's masks.json, and how many it keeps (every channel of a unit agreeing).</summary>
    private static (int Units, int Kept) SharedUnits(string run)
    {
        using var backend = new SparseCore.Kernels.Cpu.CpuBackend();
        using var net = SparseCore.Models.Zoo.ModelZoo.Create("resnet20", new SparseCore.Models.Modules.ModuleInit(backend, 1), 1, 28, 28, 10);
        var graph = SparseCore.Pass.Graph.ChannelGraph.Of(net);
        var masks = SparseCore.Pass.Masks.MaskFile.Read(Path.Combine(run, "masks.json"), graph).Masks.SelectMany(m => m).ToArray();
        var coupling = SparseCore.Pass.Masks.ChannelCoupling.Of(graph, SparseCore.Pass.ResidualMode.Shared);
        int kept = 0;
        for (int u = 0; u < coupling.UnitCount; u++)
        {
            var members = coupling.Members(u);
            Assert.All(members, p => Assert.Equal(masks[members[0]], masks[p]));
            if (masks[members[0]] != 0f) kept++;
        }
        return (coupling.UnitCount, kept);
    }

    [Theory]
    [InlineData("l1")]
    [InlineData("uniform")]
    public void Baseline_with_a_flops_target_lands_within_one_percent(string method)
    {
        var (exit, stdout, error) = CliRunner.Run(Args(method, "--flops", "0.4", "--finetune-epochs", "0"));
        Assert.True(exit == 0, error + stdout);
        var summary = PruneSummaryFile.Read(Path.Combine(OnlyRunFolder(), "summary.json"));
        double achieved = (double)summary.Pruned.Macs / summary.Dense.Macs;
        Assert.True(Math.Abs(achieved - 0.4) <= 0.004, $"{method}: {achieved:F4} of the dense MACs for a 0.4 target");
        // The summary records the channel sparsity that met the target.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(OnlyRunFolder(), "masks.json")));
        var masks = doc.RootElement.GetProperty("masks").EnumerateArray().ToArray();
        double kept = masks.Sum(m => m.GetProperty("kept").GetArrayLength()), total = masks.Sum(m => m.GetProperty("channels").GetInt32());
        Assert.NotNull(summary.Sparsity);
        Assert.Equal(1 - kept / total, summary.Sparsity!.Value, 9);
    }

    [Fact]
    public void Round_channels_keeps_multiples_of_K_records_K_and_a_resume_must_ask_for_it()
    {
        var (exit, stdout, error) = CliRunner.Run(Args("l1", "--sparsity", "0.5", "--round-channels", "8", "--finetune-epochs", "0"));
        Assert.True(exit == 0, error + stdout);
        string run = OnlyRunFolder();
        var summary = PruneSummaryFile.Read(Path.Combine(run, "summary.json"));
        Assert.Equal(8, summary.RoundChannels);
        Assert.All(summary.Layers, l => Assert.True(l.Kept % 8 == 0, $"{l.Name} keeps {l.Kept}"));
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "masks.json"))))
            Assert.Equal("8", doc.RootElement.GetProperty("info").GetProperty("round_channels").GetString());
        Assert.Contains("kept channels rounded to multiples of 8", File.ReadAllText(Path.Combine(run, "report.md")));

        // Without the option the run asks for K = 1: refused, naming the setting.
        var (other, _, otherError) = CliRunner.Run(Args("l1", "--sparsity", "0.5", "--finetune-epochs", "0", "--resume", run));
        Assert.Equal(2, other);
        Assert.Contains("round_channels = '8'", otherError);
    }

    [Fact]
    public void Profile_writes_the_dense_and_pruned_latency_forwards_per_op_family()
    {
        var (exit, stdout, error) = CliRunner.Run(Args("l1", "--sparsity", "0.5", "--finetune-epochs", "0", "--profile"));
        Assert.True(exit == 0, error + stdout);
        string profile = File.ReadAllText(Path.Combine(OnlyRunFolder(), "profile.md"));
        Assert.Contains("the dense network's latency forwards (batch 2)", profile);
        Assert.Contains("the pruned network's latency forwards (batch 2)", profile);
        Assert.Contains("| latency forward · conv forward |", profile);
        Assert.Contains("profile written to", stdout);
    }

    [Theory]
    [InlineData("l1", "0", "--round-channels takes a whole number ≥ 1, got '0'")]
    [InlineData("uniform", "8", "--round-channels: uniform keeps round((1 − s)·C) of every layer")]
    [InlineData("omp", "8", "--round-channels: omp prunes weights, not channels")]
    public void Round_channels_is_refused_where_it_cannot_apply(string method, string k, string message)
    {
        var (exit, _, error) = CliRunner.Run(Args(method, "--sparsity", "0.5", "--round-channels", k));
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
        Assert.Empty(Directory.GetDirectories(root));
    }

    [Theory]
    [InlineData("growreg", "--growreg-delta", "0", "--growreg-delta must be a finite number > 0, got 0")]
    [InlineData("growreg", "--growreg-interval", "0", "--growreg-interval takes a whole number ≥ 1, got '0'")]
    [InlineData("growreg", "--growreg-ceiling", "0", "--growreg-ceiling must be a finite number > 0, got 0")]
    [InlineData("growreg", "--growreg-epochs", "-1", "--growreg-epochs takes a whole number ≥ 0, got '-1'")]
    [InlineData("depgraph", "--depgraph-lambda", "NaN", "--depgraph-lambda takes a number ≥ 0, got 'NaN'")]
    [InlineData("depgraph", "--depgraph-epochs", "x", "--depgraph-epochs takes a whole number ≥ 0, got 'x'")]
    [InlineData("abc", "--abc-sources", "1", "--abc-sources takes a whole number ≥ 2, got '1'")]
    [InlineData("abc", "--abc-limit", "0", "--abc-limit takes a whole number ≥ 1, got '0'")]
    [InlineData("abc", "--abc-cycles", "-2", "--abc-cycles takes a whole number ≥ 0, got '-2'")]
    [InlineData("abc", "--abc-finetune-steps", "1.5", "--abc-finetune-steps takes a whole number ≥ 0, got '1.5'")]
    [InlineData("abc", "--search-subset", "4", "--search-subset: abc scores candidates on a fifth of the search images")]
    [InlineData("abc", "--round-channels", "8", "--round-channels: abc searches per-layer widths by its own rule")]
    public void Bad_structured_baseline_options_are_one_line_errors_naming_the_flag(string method, string option, string value, string message)
    {
        var (exit, _, error) = CliRunner.Run(Args(method, "--sparsity", "0.5", option, value));
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Empty(Directory.GetDirectories(root));
    }

    [Theory]
    [InlineData("growreg", "growreg.safetensors", "--growreg-epochs", "1")]
    [InlineData("depgraph", "depgraph.safetensors", "--depgraph-epochs", "1")]
    [InlineData("abc", null, "--abc-cycles", "1", "--abc-sources", "2", "--abc-finetune-steps", "1")]
    public void A_structured_baseline_runs_from_the_command_line_at_its_flops_budget(string method, string? trained, params string[] options)
    {
        var (exit, stdout, error) = CliRunner.Run(Args(method, ["--flops", "0.5", "--finetune-epochs", "0", .. options]));
        Assert.True(exit == 0, error + stdout);
        string run = OnlyRunFolder();
        var summary = PruneSummaryFile.Read(Path.Combine(run, "summary.json"));
        Assert.Equal(method, summary.Method);
        Assert.InRange((double)summary.Pruned.Macs / summary.Dense.Macs, 0.48, 0.5);
        if (trained is not null) Assert.True(File.Exists(Path.Combine(run, trained)));
        Assert.Contains(method + ":", stdout);
    }

    [Fact]
    public void A_resumed_slim_run_extracts_from_the_slimmed_weights()
    {
        var (exit, stdout, error) = CliRunner.Run(Args("slim", "--sparsity", "0.5", "--finetune-epochs", "0"));
        Assert.True(exit == 0, error + stdout);
        string run = OnlyRunFolder();
        Assert.True(File.Exists(Path.Combine(run, "slimmed.safetensors")));
        byte[] pruned = File.ReadAllBytes(Path.Combine(run, "pruned.safetensors"));

        var (again, againOut, againError) = CliRunner.Run(Args("slim", "--sparsity", "0.5", "--finetune-epochs", "0", "--resume", run));
        Assert.True(again == 0, againError + againOut);
        Assert.Contains("masks from", againOut);
        Assert.Equal(pruned, File.ReadAllBytes(Path.Combine(run, "pruned.safetensors")));
    }

    [Fact]
    public void A_malformed_masks_json_in_a_resumed_run_is_a_one_line_error()
    {
        string run = Directory.CreateDirectory(Path.Combine(root, "broken")).FullName;
        File.WriteAllText(Path.Combine(run, "masks.json"), "{\"model\": \"resnet20\", \"masks\": [");
        var (exit, _, error) = CliRunner.Run(Args("random", "--sparsity", "0.5", "--resume", run));
        Assert.Equal(2, exit);
        Assert.Contains("masks.json", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void A_broken_dense_checkpoint_is_refused_before_a_run_folder_exists()
    {
        string outside = Directory.CreateTempSubdirectory("sparsecore-dense-").FullName;
        try
        {
            string dense = Path.Combine(outside, "dense.safetensors");
            using (var backend = new SparseCore.Kernels.Cpu.CpuBackend())
            using (var net = SparseCore.Models.Zoo.ModelZoo.Create("resnet20", new SparseCore.Models.Modules.ModuleInit(backend, 1), 1, 28, 28, 10))
                SparseCore.Models.IO.Checkpoint.Save(dense, net, info: new() { Model = new("resnet20", 1, 28, 28, 10) });
            byte[] whole = File.ReadAllBytes(dense);
            File.WriteAllBytes(dense, whole[..(whole.Length - 1000)]); // a header that promises more than the file holds

            var (exit, _, error) = CliRunner.Run(Args("l1", "--sparsity", "0.5", "--from", dense));
            Assert.Equal(2, exit);
            Assert.StartsWith("error: ", error);
            Assert.Contains(dense, error);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Pruning_validates_on_the_split_the_dense_network_held_out_whatever_its_own_seed()
    {
        // The dense network: trained with seed 5, holding out 64 images.
        var (trained, _, trainError) = CliRunner.Run("train", "--model", "resnet20", "--data", "synthetic", "--device", "cpu", "--epochs", "1",
            "--train-subset", "64", "--validation", "64", "--batch-size", "32", "--seed", "5", "--output", Path.Combine(root, "dense"));
        Assert.True(trained == 0, trainError);
        string dense = Path.Combine(Assert.Single(Directory.GetDirectories(Path.Combine(root, "dense"))), "last.safetensors");
        var denseSplit = SparseCore.Models.IO.Checkpoint.ReadInfo(dense).Split;
        Assert.Equal(new SparseCore.Models.Data.ValidationSplit(5, 64, 6000), denseSplit);

        string[] Prune(params string[] extra) =>
            ["prune", "--method", "l1", "--model", "resnet20", "--data", "synthetic", "--device", "cpu", "--sparsity", "0.5", "--from", dense,
             "--seed", "7", "--train-subset", "64", "--finetune-epochs", "0", "--batch-size", "32", "--latency-batch", "2", "--output", Path.Combine(root, "pruned"), .. extra];
        var (conflict, _, conflictError) = CliRunner.Run(Prune("--validation", "100"));
        Assert.Equal(2, conflict);
        Assert.Contains("--validation 100: ", conflictError);
        Assert.Contains("held out 64 images (seed 5)", conflictError);

        var (exit, output, error) = CliRunner.Run(Prune());
        Assert.True(exit == 0, error + output);
        string run = Assert.Single(Directory.GetDirectories(Path.Combine(root, "pruned")));
        Assert.Equal(denseSplit, SparseCore.Models.IO.Checkpoint.ReadInfo(Path.Combine(run, "pruned.safetensors")).Split);
        Assert.Equal(denseSplit, SparseCore.Models.IO.Checkpoint.ReadInfo(Path.Combine(run, "dense.safetensors")).Split);
    }

    [Theory]
    [InlineData("--method", "magic", "--sparsity", "0.5")]
    [InlineData("--method", "l1")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--flops", "0.5")]
    [InlineData("--method", "l1", "--sparsity", "1.5")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--no-prompt")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--mode", "both")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--model", "mlp")]
    [InlineData("--method", "pass", "--sparsity", "0.5", "--search-epochs", "0")]
    [InlineData("--method", "pass", "--sparsity", "0.5", "--prompt", "none")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--prompt", "patch:x")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--dense-epochs", "0")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--validation", "-1")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--validation", "6000")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--lr", "NaN")]
    [InlineData("--method", "l1", "--sparsity", "0.5", "--lr", "-1")]
    public void Bad_options_are_named(params string[] options)
    {
        var (exit, _, error) = CliRunner.Run(["prune", "--data", "synthetic", "--output", root, .. options]);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.False(Directory.EnumerateFileSystemEntries(root).Any(), "a refused run must leave no run folder behind");
    }
}
