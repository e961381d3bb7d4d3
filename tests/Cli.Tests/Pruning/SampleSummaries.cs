using SparseCore.Pass.Compute;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Tests.Pruning;

/// <summary>Synthetic prune summaries with odd, recognisable numbers.</summary>
internal static class SampleSummaries
{
    public static PruneSummary Make(string method = "pass", long prunedMacs = 19_876_543, double prunedTest = 0.8917, string mode = "shared") => new()
    {
        Method = method,
        Model = "resnet20",
        Data = "fashion-mnist",
        Mode = mode,
        Sparsity = 0.5,
        PromptInStage2 = true,
        Seed = 7,
        Command = $"sparsecore prune --method {method} --model resnet20 --data fashion-mnist --sparsity 0.5",
        Device = "cpu (managed SIMD on 2 cores)",
        Dense = new RunMeasure(0.9233, 0.9187, 40_551_040, 272_474, 3.75),
        Pruned = new RunMeasure(0.9011, prunedTest, prunedMacs, 71_113, 1.5),
        MaskedMacs = mode == "shared" ? prunedMacs : prunedMacs - 1_234_567,
        Latency = new LatencySetup(Batch: 1, Threads: 2, Warmup: 3, Repetitions: 15),
        Layers = [new LayerKeep("conv1", 16, 9), new LayerKeep("layer1.0.conv1", 16, 5), new LayerKeep("layer3.2.conv2", 64, 37)],
        Stages = new StageTimes(Stage1Epochs: 3, Stage1Images: 5_000, Stage1Seconds: 612.5, Stage2Epochs: 5, Stage2Seconds: 1_843.25),
    };

    /// <summary>Two layers at batch 32: the first 4× fewer MACs and 2× faster, the second 2× fewer and 2× faster; 1.5 and 0.5 ms of everything else.</summary>
    public static ComputeProfile Compute() => new(32, 2, 3, 15,
        [
            new LayerCompute("conv1", "conv", "1×28×28", 112_896, 0.5, 28_224, 0.25),
            new LayerCompute("fc", "linear", "37", 1_280, 0.02, 640, 0.01),
        ], DenseForwardMs: 2.02, PrunedForwardMs: 0.76);

    /// <summary>A run folder holding only summary.json.</summary>
    public static string WriteFolder(string parent, string name, PruneSummary summary)
    {
        string folder = Path.Combine(parent, name);
        PruneSummaryFile.Write(Path.Combine(folder, PruneSummaryFile.FileName), summary);
        return folder;
    }
}
