using SparseCore.Kernels.Cpu;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;

namespace SparseCore.Cli.Tests;

/// <summary>
/// `sparsecore explain` on a dense and an extracted ResNet-20 (12×12 px, batch 2): the table on the
/// console, the markdown and the PNG written; a missing file, a file that is no checkpoint, a bad
/// --batch and an --output that is a file are one line each, and nothing is written.
/// </summary>
public sealed class ExplainCommandTests : IDisposable
{
    private static readonly ModelDescription Description = new("resnet20", 1, 12, 12, 10);

    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-explain-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Output => Path.Combine(root, "out");

    /// <summary>A dense checkpoint and its extraction at s = 0.5 (shared mode), as `sparsecore prune` would write them.</summary>
    private (string Dense, string Pruned) Checkpoints()
    {
        using var backend = new CpuBackend();
        using var dense = ModelZoo.Create("resnet20", new ModuleInit(backend, 1), 1, 12, 12, 10);
        string densePath = Path.Combine(root, "dense.safetensors"), prunedPath = Path.Combine(root, "pruned.safetensors");
        Checkpoint.Save(densePath, dense, info: new CheckpointInfo { Model = Description });
        var graph = ChannelGraph.Of(dense);
        var budget = new ChannelBudget(graph, 0.5, ResidualMode.Shared);
        var scores = Enumerable.Range(0, graph.TotalChannels).Select(i => (float)((i * 7919) % 101)).ToArray();
        var extracted = Extractor.Extract(dense, Description, budget.Split(budget.Select(scores).Mask), ResidualMode.Shared);
        using (extracted.Model)
            Checkpoint.Save(prunedPath, extracted.Model, info: new CheckpointInfo { Model = extracted.Description });
        return (densePath, prunedPath);
    }

    [Fact]
    public void A_pruned_checkpoint_is_explained_against_its_backbone_at_full_width()
    {
        var (_, pruned) = Checkpoints();

        var (exit, stdout, error) = CliRunner.Run("explain", pruned, "--batch", "2", "--device", "cpu", "--output", Output);

        Assert.True(exit == 0, error + stdout);
        Assert.Contains("predicted ×", stdout);
        Assert.Contains("layer3.2.conv2", stdout);
        Assert.Contains("end to end", stdout);
        string md = File.ReadAllText(Path.Combine(Output, "pruned-explain.md"));
        Assert.StartsWith("# Where the time goes: pruned.safetensors (resnet20, pruned, 1×12×12 images, batch 2)", md);
        Assert.Contains("| layer | kind | input (pruned, per image) | dense MMACs | pruned MMACs |", md);
        Assert.Contains("| everything else", md);
        Assert.Contains("![forward time per layer](pruned-explain.png)", md);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(Output, "pruned-explain.png"))[..4]);
    }

    [Fact]
    public void A_dense_checkpoint_is_profiled_alone_beside_itself_by_default()
    {
        var (dense, _) = Checkpoints();

        var (exit, stdout, error) = CliRunner.Run("explain", dense, "--batch", "2", "--device", "cpu");

        Assert.True(exit == 0, error + stdout);
        Assert.DoesNotContain("predicted", stdout);
        Assert.Contains("A dense network", stdout);
        string md = File.ReadAllText(Path.Combine(root, "dense-explain.md"));
        Assert.Contains("| layer | kind | input (per image) | MMACs / image | ms | GFLOP/s | share |", md);
        Assert.True(File.Exists(Path.Combine(root, "dense-explain.png")));
    }

    [Theory]
    [InlineData("missing", "--batch", "2", "explain: no checkpoint file at")]
    [InlineData("text", "--batch", "2", "notes.safetensors")]
    [InlineData("dense", "--batch", "0", "--batch takes a whole number ≥ 1, got '0'")]
    [InlineData("dense", "--batch", "many", "--batch takes a whole number ≥ 1, got 'many'")]
    [InlineData("dense", "--output", "file", "--output: ")]
    public void Bad_input_is_one_line_and_writes_nothing(string which, string option, string value, string message)
    {
        var (dense, _) = Checkpoints();
        string text = Path.Combine(root, "notes.safetensors"), file = Path.Combine(root, "a-file");
        File.WriteAllText(text, "not a checkpoint");
        File.WriteAllText(file, "");
        string path = which switch { "missing" => Path.Combine(root, "none.safetensors"), "text" => text, _ => dense };
        string[] args = option == "--output" ? ["explain", path, "--output", file] : ["explain", path, option, value, "--output", Output];

        var (exit, _, error) = CliRunner.Run(args);

        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(Directory.Exists(Output));
        Assert.Empty(Directory.GetFiles(root, "*-explain.*"));
    }
}
